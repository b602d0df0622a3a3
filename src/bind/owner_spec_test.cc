#include "bind/owner_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>

#include <string>

namespace vfioctl {
namespace {

using ::testing::HasSubstr;

// Names resolve through the system's user database; "root" (uid 0, gid 0) is the one entry
// every system has, and names starting "vfioctl-test-none" are assumed absent.
TEST(ParseOwner, RootByName) {
  std::string error;
  auto spec = parse_owner("root", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 0u);
  EXPECT_EQ(spec->gid, 0u);
  EXPECT_EQ(spec->text, "root");
}

TEST(ParseOwner, RootAndRootGroupByName) {
  std::string error;
  auto spec = parse_owner("root:root", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 0u);
  EXPECT_EQ(spec->gid, 0u);
  EXPECT_EQ(spec->text, "root:root");
}

TEST(ParseOwner, NumericUidAndGidAreTakenAsIdsWithoutLookup) {
  std::string error;
  auto spec = parse_owner("64055:993", &error);  // need not exist: containers run QEMU as such ids
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 64055u);
  EXPECT_EQ(spec->gid, 993u);
}

TEST(ParseOwner, NumericUidWithANamedGroup) {
  std::string error;
  auto spec = parse_owner("64055:root", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 64055u);
  EXPECT_EQ(spec->gid, 0u);
}

TEST(ParseOwner, NamedUserWithANumericGroup) {
  std::string error;
  auto spec = parse_owner("root:36", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 0u);
  EXPECT_EQ(spec->gid, 36u);
}

TEST(ParseOwner, NumericUidAloneOfAnUnknownUserUsesTheUidAsGroup) {
  std::string error;
  ASSERT_EQ(::getpwuid(64055), nullptr) << "test assumes uid 64055 is not in the user database";
  auto spec = parse_owner("64055", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, 64055u);
  EXPECT_EQ(spec->gid, 64055u);
}

// owner_spec.h: without a group, the gid is "the user's primary group". For a numeric uid that
// the user database knows, that is its passwd entry's group, as chown(1) "UID:" does.
TEST(ParseOwner, NumericUidAloneOfAKnownUserTakesItsPrimaryGroup) {
  setpwent();
  const passwd* found = nullptr;
  while (const passwd* pw = getpwent()) {
    if (pw->pw_uid != pw->pw_gid) {
      found = pw;
      break;
    }
  }
  if (!found) {
    endpwent();
    GTEST_SKIP() << "no user whose primary gid differs from its uid";
  }
  uid_t uid = found->pw_uid;
  gid_t gid = found->pw_gid;
  endpwent();
  std::string error;
  auto spec = parse_owner(std::to_string(uid), &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->uid, uid);
  EXPECT_EQ(spec->gid, gid);
}

TEST(ParseOwner, UnknownUserIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(parse_owner("vfioctl-test-none", &error));
  EXPECT_THAT(error, HasSubstr("no user 'vfioctl-test-none'"));
}

TEST(ParseOwner, UnknownGroupIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(parse_owner("root:vfioctl-test-none", &error));
  EXPECT_THAT(error, HasSubstr("no group 'vfioctl-test-none'"));
}

TEST(ParseOwner, InvalidTextIsRejectedBeforeAnyLookup) {
  for (const char* text : {"", "a b", "-x", "x:", ":x", ":", "root:-x", "a/b", "a;b", "root:root:root", "ü",
                           "root\n"}) {
    std::string error;
    EXPECT_FALSE(parse_owner(text, &error)) << "'" << text << "'";
    EXPECT_THAT(error, HasSubstr("is not USER[:GROUP]")) << "'" << text << "'";
  }
}

TEST(ParseOwner, NamesLongerThan32CharactersAreRejected) {
  std::string error;
  std::string too_long(33, 'a');
  EXPECT_FALSE(parse_owner(too_long, &error));
  EXPECT_THAT(error, HasSubstr("is not USER[:GROUP]"));
  EXPECT_FALSE(parse_owner("root:" + too_long, &error));
  // 32 is allowed by the syntax (useradd's limit); this one simply does not exist.
  EXPECT_FALSE(parse_owner(std::string(32, 'a'), &error));
  EXPECT_THAT(error, HasSubstr("no user"));
}

TEST(ParseOwner, ANumberTooLargeForAnIdIsNotTakenAsOne) {
  std::string error;
  EXPECT_FALSE(parse_owner("99999999999", &error));  // > UINT32_MAX: looked up as a name, not found
  EXPECT_THAT(error, HasSubstr("no user"));
}

}  // namespace
}  // namespace vfioctl
