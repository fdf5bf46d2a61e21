// compiler/support/edit_distance.h — did-you-mean suggestions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowc {

// Edit distance: insert, delete, substitute or swap two adjacent characters,
// each costing 1 (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a likely
// typo: at most a third of the name's length (at least 1, at most 3) edits
// away. Ties go to the earliest candidate; an exact match is not suggested.
std::optional<std::string> closest_match(std::string_view name,
                                         const std::vector<std::string>& candidates);

}  // namespace flowc
