#include "cli/commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "policy/catalog.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "policy/simulate.h"
#include "server/app.h"

namespace rampart::cli {

const char* Version() { return "0.1.0"; }

int Serve(const server::Config& config) { return server::RunServer(config); }

int DevInit(const DevInitArgs& args) {
  server::DevInitOptions options;
  options.data_dir = args.data_dir;
  options.account_id = args.account_id;
  options.email = args.email;
  options.root_access_key = args.root_access_key;
  Result<boost::json::object> result = server::DevInit(options);
  if (!result) {
    std::fprintf(stderr, "rampart dev-init: %s\n", result.error().message.c_str());
    return 1;
  }
  if (args.json) {
    std::cout << boost::json::serialize(*result) << "\n";
  } else {
    for (const auto& [key, value] : *result) {
      std::cout << key << ": " << (value.is_string() ? std::string(value.as_string()) : "")
                << "\n";
    }
  }
  return 0;
}

int PolicySimulate(const std::string& input) {
  std::ios::sync_with_stdio(false);
  if (input == "-") return policy::RunSimulate(std::cin, std::cout);
  std::ifstream file(input);
  if (!file) {
    std::fprintf(stderr, "rampart policy simulate: cannot open `%s`\n", input.c_str());
    return 2;
  }
  return policy::RunSimulate(file, std::cout);
}

int PolicyValidate(const std::string& path, const std::string& type_name) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "rampart policy validate: cannot open `%s`\n", path.c_str());
      return 2;
    }
    text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  Result<policy::PolicyType> type = policy::ParsePolicyType(type_name);
  if (!type) {
    std::fprintf(stderr, "rampart policy validate: %s\n", type.error().message.c_str());
    return 2;
  }
  static const Result<policy::ServiceCatalog> catalog =
      policy::ServiceCatalog::Parse(policy::EmbeddedServiceCatalogJson());
  if (!catalog) {
    std::fprintf(stderr, "rampart policy validate: %s\n", catalog.error().message.c_str());
    return 2;
  }
  return policy::RunValidate(text, *type, *catalog, std::cout);
}

}  // namespace rampart::cli
