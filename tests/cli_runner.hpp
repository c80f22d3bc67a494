#pragma once
// Runs the embgeo-cuda binary the way a user does and captures its exit code, stdout and stderr.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace embgeo::testing_support {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("embgeo_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The binary under test: the one built beside these tests, or $EMBGEO_CLI (a prebuilt bundle run elsewhere,
// see tools/gpu-bundle.sh).
inline std::string cli_path() {
  const char* path = std::getenv("EMBGEO_CLI");
  return path && *path ? path : EMBGEO_CLI;
}

// `args` is appended to the binary path verbatim (the tests quote what needs quoting); `shell_prefix` runs
// before it in the same shell command, e.g. "ulimit -v 4000000 && exec timeout 60 ".
inline CliResult run_cli(const std::string& args, const TempDir& scratch, const std::string& shell_prefix = "") {
  const std::string out = scratch.file("cli.stdout"), err = scratch.file("cli.stderr");
  const std::string command =
      shell_prefix + "'" + cli_path() + "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// A refused command: non-zero exit (not a signal), and stderr is exactly one "error: ..." line holding `fragment`.
inline void expect_one_line_error(const CliResult& r, const std::string& fragment) {
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_LT(r.exit_code, 128) << "killed by a signal: " << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected '" << fragment << "' in: " << r.err;
}

}  // namespace embgeo::testing_support
