// What bind, release, vfs and recover share on the command line: the kernel and address
// seams, the run lock with the interrupted-operation check, progress lines, exit codes, and
// how each command ends (the same JSON document and table on PCI, the other buses and AP).
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bind/bind_plan.h"
#include "bind/operation.h"
#include "cli/cli.h"
#include "cli/global_options.h"
#include "host/address_source.h"
#include "kernel/kernel_port.h"
#include "report/operation_report.h"

namespace vfioctl {

class OperationEnvironment {
 public:
  OperationEnvironment(Session& session, CliIo& io, const GlobalOptions& g);
  KernelPort& kernel() { return *kernel_; }
  const AddressSource& addresses() const { return *addresses_; }
  OperationContext& context() { return ctx_; }

  // Takes the run lock. With `require_clean`, refuses when an interrupted operation left a
  // journal. Returns 0 or the exit status to stop with (the message is already printed).
  int begin(bool require_clean);

 private:
  CliIo& io_;
  const GlobalOptions& g_;
  std::unique_ptr<KernelPort> owned_kernel_;
  std::unique_ptr<AddressSource> owned_addresses_;
  KernelPort* kernel_;
  const AddressSource* addresses_;
  OperationContext ctx_;
  RunLock lock_;
};

int exit_code_for(BindPlan::Block block);

// A plan that blocks: the JSON document with --json, every problem on stderr. Returns the exit
// status for `block` (2 bad input, 3 refused, 1 cannot be done).
int report_blocked(const GlobalOptions& g, CliIo& io, std::string_view operation, BindPlan::Block block,
                   const ProblemLists& problems, bool dry_run);

// A dry run: `plan` goes into the JSON document; `print_text` writes it for people. Returns 0.
int report_dry_run(const GlobalOptions& g, CliIo& io, std::string_view operation, const ProblemLists& problems,
                   nlohmann::json plan, const std::function<void(std::ostream&)>& print_text);

// How an executed operation is reported.
struct ResultReport {
  ResultReport(std::string_view op, bool nothing, ProblemLists lists = {})
      : operation(op), nothing_to_do(nothing), problems(lists) {}
  std::string_view operation;
  bool nothing_to_do = false;
  ProblemLists problems;
  std::function<void(nlohmann::json&)> add_json;    // fields of the command's own (vfs: the PF, its VFs)
  std::function<void(std::ostream&)> print_header;  // a line before the table
  std::string_view unit = "device";                 // what "every <unit> was put back" names
};
// The JSON document or the result table, errors on stderr, and a line saying when a failure
// put everything back. Returns 0 or 1.
int report_result(const GlobalOptions& g, CliIo& io, const OperationResult& result, const ResultReport& how);

}  // namespace vfioctl
