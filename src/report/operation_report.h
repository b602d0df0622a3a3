// Results of bind, release, vfs and recover: a table (or the dry-run plan) for people, one
// JSON document for tools, each device with its binding before and after.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "bind/bind_plan.h"
#include "bind/operation.h"
#include "bind/release.h"
#include "report/status_report.h"

namespace vfioctl {

struct ProblemLists {
  const std::vector<PlanProblem>* bad_input = nullptr;
  const std::vector<PlanProblem>* refusals = nullptr;
  const std::vector<PlanProblem>* cannot = nullptr;
};

// `result` is "ok", "nothing-to-do", "failed", "refused", "invalid", or "planned" (dry run).
nlohmann::json operation_json(const std::string& operation, const std::string& result, int exit_code,
                              const OperationResult* outcome, const ProblemLists& problems, bool dry_run);

void print_operation_table(const OperationResult& outcome, std::ostream& out, const OutputStyle& style);
void print_problems(const ProblemLists& problems, std::ostream& err);

// The sysfs writes a bind would make, device by device.
void print_bind_dry_run(const BindPlan& plan, std::ostream& out);
void print_release_dry_run(const ReleasePlan& plan, std::ostream& out);
nlohmann::json bind_plan_json(const BindPlan& plan);
nlohmann::json release_plan_json(const ReleasePlan& plan);

}  // namespace vfioctl
