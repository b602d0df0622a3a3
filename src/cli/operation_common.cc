#include "cli/operation_common.h"

#include <fmt/format.h>

#include "bind/journal.h"
#include "kernel/live_kernel.h"

namespace vfioctl {

OperationEnvironment::OperationEnvironment(Session& session, CliIo& io, const GlobalOptions& g)
    : io_(io),
      g_(g),
      owned_kernel_(io.kernel ? nullptr : std::make_unique<LiveKernel>(session.host())),
      owned_addresses_(io.addresses ? nullptr
                                    : session.host().is_live_system() ? make_live_address_source()
                                                                      : make_empty_address_source()),
      kernel_(io.kernel ? io.kernel : owned_kernel_.get()),
      addresses_(io.addresses ? io.addresses : owned_addresses_.get()),
      ctx_(session, *kernel_) {
  // Progress: on a terminal always, otherwise only with -v; never inside JSON output.
  if (!g.json && (io.err_is_terminal || g.verbose > 0)) {
    ctx_.progress.step = [&io](std::size_t i, std::size_t n, const std::string& device, const std::string& what) {
      if (n > 1 || what.rfind("FAILED", 0) == 0) io.err << fmt::format("[{}/{}] {}: {}\n", i, n, device, what);
    };
  }
}

int OperationEnvironment::begin(bool require_clean) {
  std::string error;
  bool ok = lock_.acquire(ctx_.state_dir, io_.lock_wait_seconds, &error, [this](const std::string& holder) {
    if (!g_.quiet) io_.err << "vfioctl: waiting for another vfioctl (pid " << holder << ") to finish\n";
  });
  if (!ok) {
    io_.err << "vfioctl: " << error << "\n";
    return kExitFailed;
  }
  if (require_clean) {
    JournalStore journals(ctx_.state_dir);
    std::string read_error;
    auto journal = journals.read(&read_error);
    if (journal || !read_error.empty()) {
      io_.err << "vfioctl: refused: ";
      if (journal) {
        io_.err << "an interrupted '" << journal->operation << "' (pid " << journal->pid << ", started "
                << journal->started << ") left " << journals.path() << "; run 'vfioctl recover' first\n";
      } else {
        io_.err << read_error << "\n";
      }
      return kExitRefused;
    }
  }
  return 0;
}

int exit_code_for(BindPlan::Block block) {
  switch (block) {
    case BindPlan::Block::kNone: return kExitOk;
    case BindPlan::Block::kBadInput: return kExitBadInput;
    case BindPlan::Block::kRefused: return kExitRefused;
    case BindPlan::Block::kCannot: return kExitFailed;
  }
  return kExitFailed;
}

int report_blocked(const GlobalOptions& g, CliIo& io, std::string_view operation, BindPlan::Block block,
                   const ProblemLists& problems, bool dry_run) {
  int rc = exit_code_for(block);
  if (g.json) {
    const char* word = rc == kExitBadInput ? "invalid" : rc == kExitRefused ? "refused" : "failed";
    io.out << operation_json(std::string(operation), word, rc, nullptr, problems, dry_run).dump(2) << "\n";
  }
  print_problems(problems, io.err);
  return rc;
}

int report_dry_run(const GlobalOptions& g, CliIo& io, std::string_view operation, const ProblemLists& problems,
                   nlohmann::json plan, const std::function<void(std::ostream&)>& print_text) {
  if (g.json) {
    auto j = operation_json(std::string(operation), "planned", kExitOk, nullptr, problems, true);
    j["plan"] = std::move(plan);
    io.out << j.dump(2) << "\n";
  } else {
    print_text(io.out);
  }
  return kExitOk;
}

int report_result(const GlobalOptions& g, CliIo& io, const OperationResult& result, const ResultReport& how) {
  int rc = result.ok ? kExitOk : kExitFailed;
  if (g.json) {
    const char* word = !result.ok ? "failed" : how.nothing_to_do ? "nothing-to-do" : "ok";
    auto j = operation_json(std::string(how.operation), word, rc, &result, how.problems, false);
    if (how.add_json) how.add_json(j);
    io.out << j.dump(2) << "\n";
  } else {
    if (how.print_header) how.print_header(io.out);
    if (!result.devices.empty() || !result.notes.empty()) print_operation_table(result, io.out, g.style(io));
  }
  for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
  if (!result.ok && result.rollback_complete && !g.json) {
    io.err << "vfioctl: every " << how.unit << " was put back where it was\n";
  }
  return rc;
}

}  // namespace vfioctl
