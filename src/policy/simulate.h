// `rampart policy simulate`: offline evaluation of JSON Lines cases, exactly as specified in
// POLICY-SIMULATE.md (one JSON line out per line in, error lines for lines that cannot be
// evaluated, exit status 0 once every line was read).
// Thread-safety: reentrant; no shared state.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>

namespace rampart::policy {

// Reads every line of `in` and writes one JSON line per input line to `out`. Returns the
// process exit status: 0 when every line was read (whatever the decisions), 1 on a read error.
int RunSimulate(std::istream& in, std::ostream& out);

// Evaluates one input line and returns the output line (without a trailing newline).
// Never fails: problems become {"id":..., "decision":"error", "message":"..."}.
std::string SimulateLine(std::string_view line);

}  // namespace rampart::policy
