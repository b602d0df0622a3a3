#include "pci/pci_address.h"

#include <gtest/gtest.h>

namespace vfioctl {
namespace {

TEST(PciAddress, ParsesFullAndShortForms) {
  auto full = PciAddress::parse("0000:01:00.0");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->to_string(), "0000:01:00.0");
  auto short_form = PciAddress::parse("3b:1f.7");
  ASSERT_TRUE(short_form);
  EXPECT_EQ(short_form->to_string(), "0000:3b:1f.7");
  EXPECT_EQ(PciAddress::parse("0001:AF:0A.3")->to_string(), "0001:af:0a.3");
  // VMD and some hosts number domains past 0xffff.
  EXPECT_EQ(PciAddress::parse("10000:e1:00.0")->to_string(), "10000:e1:00.0");
}

TEST(PciAddress, RejectsAnythingLoose) {
  for (const char* bad : {"", "0000:01:00", "0000:01:00.8", "0000:01:20.0", "000:01:00.0",
                          "0000:1:00.0", "0000:01:00.0 ", " 0000:01:00.0", "0000:01:00.0\n",
                          "0000:01:00.0/../x", "../0000:01:00.0", "0000:01:00.00", "01:00.0.0",
                          "g000:01:00.0", "0000::01:00.0", "0000:01:00.-1", "123456789:01:00.0"}) {
    EXPECT_FALSE(PciAddress::parse(bad)) << "accepted '" << bad << "'";
  }
}

TEST(PciAddress, OrdersLikeTheBus) {
  EXPECT_LT(*PciAddress::parse("0000:02:00.0"), *PciAddress::parse("0000:10:00.0"));
  EXPECT_LT(*PciAddress::parse("0000:ff:1f.7"), *PciAddress::parse("0001:00:00.0"));
}

}  // namespace
}  // namespace vfioctl
