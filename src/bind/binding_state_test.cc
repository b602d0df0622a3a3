#include "bind/binding_state.h"

#include <gtest/gtest.h>

namespace vfioctl {
namespace {

using nlohmann::json;

BindingState state(std::optional<std::string> driver, std::optional<std::string> override_driver,
                   bool present = true) {
  return BindingState{std::move(driver), std::move(override_driver), present};
}

TEST(BindingState, EveryCombinationSurvivesAJsonRoundTrip) {
  for (const BindingState& s :
       {state(std::nullopt, std::nullopt), state("nouveau", std::nullopt), state(std::nullopt, "vfio-pci"),
        state("vfio-pci", "vfio-pci"), state(std::nullopt, std::nullopt, false), state("", "")}) {
    // Through text, as the journal and ownership records store it.
    BindingState back = binding_state_from_json(json::parse(to_json(s).dump()));
    EXPECT_EQ(back, s) << s.describe() << " came back as " << back.describe();
  }
}

TEST(BindingState, UnknownIsWrittenAsNullNotOmitted) {
  json j = to_json(state(std::nullopt, std::nullopt));
  ASSERT_TRUE(j.contains("driver"));
  EXPECT_TRUE(j["driver"].is_null());
  ASSERT_TRUE(j.contains("driver_override"));
  EXPECT_TRUE(j["driver_override"].is_null());
  EXPECT_FALSE(j.contains("present"));  // present is the default and is left out
  EXPECT_EQ(to_json(state("e1000e", std::nullopt, false))["present"], false);
}

TEST(BindingState, ReadingToleratesMissingAndMistypedFields) {
  EXPECT_EQ(binding_state_from_json(json::object()), state(std::nullopt, std::nullopt));
  EXPECT_EQ(binding_state_from_json(json{{"driver", 7}, {"driver_override", false}, {"present", "no"}}),
            state(std::nullopt, std::nullopt));
  EXPECT_EQ(binding_state_from_json(json{{"driver", "ahci"}}), state("ahci", std::nullopt));
}

TEST(BindingState, DescribeSaysDriverAndOverride) {
  EXPECT_EQ(state("e1000e", std::nullopt).describe(), "e1000e");
  EXPECT_EQ(state(std::nullopt, std::nullopt).describe(), "no driver");
  EXPECT_EQ(state("vfio-pci", "vfio-pci").describe(), "vfio-pci (override vfio-pci)");
  EXPECT_EQ(state(std::nullopt, "vfio-pci").describe(), "no driver (override vfio-pci)");
  EXPECT_EQ(state("e1000e", "vfio-pci", false).describe(), "(device gone)");
}

}  // namespace
}  // namespace vfioctl
