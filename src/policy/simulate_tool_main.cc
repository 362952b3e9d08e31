// Test-only driver: `policy_simulate_tool < cases.jsonl`.
#include <iostream>

#include "policy/simulate.h"

int main() { return rampart::policy::RunSimulate(std::cin, std::cout); }
