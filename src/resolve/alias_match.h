// How a vfio alias matches a device and how specific it is.
//
// Matching is kmod's: fnmatch(3) with no flags over the whole alias string (libkmod-index.c
// index_searchwild and libkmod-config.c both call fnmatch(pattern, key, 0)), so '*', '?' and
// '[...]' behave as in modprobe, including inside a field (a class-qualified alias ends in
// "i00*" because file2alias.c add_wildcard() appends a '*').
//
// Specificity follows kernel commit cc6711b0bf36 ("select the entry that has the fewest *'s"),
// counted per field: a field is a wildcard when its whole value is "*". The trailing '*' that
// add_wildcard() puts after a literal last field does not make that field a wildcard.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace vfioctl {

bool alias_matches(const std::string& pattern, const std::string& key);

struct Specificity {
  int fields = 0;           // fields in the bus's modalias layout (7 for PCI); 0 if unknown
  int wildcard_fields = 0;  // fields whose value is exactly "*"
  int literal_chars = 0;    // characters outside '*', '?' and bracket expressions
  // Higher is more specific: fields that are pinned down. For a layout the pattern does not
  // follow, every '*' counts as one wildcard field so that the ordering still holds.
  int score() const { return fields - wildcard_fields; }
};

// `pattern` is the alias without its bus prefix ("v000015B3d0000101Esv*sd*bc*sc*i*");
// `field_tags` the bus's modalias field markers in order ({"v","d","sv","sd","bc","sc","i"}).
Specificity alias_specificity(std::string_view pattern, std::span<const std::string_view> field_tags);

}  // namespace vfioctl
