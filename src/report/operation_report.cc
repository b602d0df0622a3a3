#include "report/operation_report.h"

#include <fmt/format.h>

#include "report/table.h"

namespace vfioctl {

using nlohmann::json;

namespace {

json problems_json(const ProblemLists& p) {
  json out = json::array();
  auto add = [&](const std::vector<PlanProblem>* list, const char* kind) {
    if (!list) return;
    for (const auto& x : *list) {
      out.push_back({{"device", x.device.empty() ? json(nullptr) : json(x.device)}, {"kind", kind}, {"message", x.message}});
    }
  };
  add(p.bad_input, "invalid");
  add(p.refusals, "refused");
  add(p.cannot, "cannot");
  return out;
}

json device_json(const DeviceResult& d) {
  json attempts = json::array();
  for (const auto& a : d.attempts) {
    attempts.push_back({{"module", a.module}, {"driver", a.driver ? json(*a.driver) : json(nullptr)}, {"outcome", a.outcome}});
  }
  return {{"device", d.device},
          {"before", to_json(d.before)},
          {"after", to_json(d.after)},
          {"module", d.module ? json(*d.module) : json(nullptr)},
          {"driver", d.driver ? json(*d.driver) : json(nullptr)},
          {"attempts", attempts},
          {"changed", d.changed},
          {"ok", d.ok},
          {"message", d.message}};
}

std::string arrow(const BindingState& before, const BindingState& after) {
  return before.driver.value_or("none") + " → " + (after.present ? after.driver.value_or("none") : "(gone)");
}

}  // namespace

json operation_json(const std::string& operation, const std::string& result, int exit_code,
                    const OperationResult* outcome, const ProblemLists& problems, bool dry_run) {
  json j;
  j["operation"] = operation;
  j["result"] = result;
  j["exit_code"] = exit_code;
  j["dry_run"] = dry_run;
  j["problems"] = problems_json(problems);
  json devices = json::array();
  if (outcome) {
    for (const auto& d : outcome->devices) devices.push_back(device_json(d));
    j["rolled_back"] = outcome->rolled_back;
    j["rollback_complete"] = outcome->rollback_complete;
    j["errors"] = outcome->errors;
    j["notes"] = outcome->notes;
  } else {
    j["errors"] = json::array();
    j["notes"] = json::array();
  }
  j["devices"] = std::move(devices);
  return j;
}

void print_operation_table(const OperationResult& outcome, std::ostream& out, const OutputStyle& style) {
  Table t({"DEVICE", "DRIVER", "RESULT"});
  for (const auto& d : outcome.devices) {
    std::string result;
    if (!d.changed) {
      result = d.message.empty() ? "nothing to do" : d.message;
    } else if (d.ok) {
      result = "ok";
      for (const auto& a : d.attempts) {
        if (a.outcome != "bound" && a.outcome != "module loaded") {
          result += fmt::format(" ({} skipped: {})", a.module, a.outcome);
        }
      }
      if (!d.message.empty()) result += " (" + d.message + ")";
    } else if (outcome.rolled_back) {
      result = d.after == d.before ? "put back" : "NOT put back";
      if (!d.message.empty()) result += ": " + d.message;
    } else {
      result = "failed: " + d.message;
    }
    if (style.color && d.changed) result = (d.ok ? "\033[32m" : "\033[31m") + result + "\033[0m";
    t.add_row({d.device, arrow(d.before, d.after), result});
  }
  t.print(out, style.width);
  for (const auto& n : outcome.notes) out << "note: " << n << "\n";
}

void print_problems(const ProblemLists& p, std::ostream& err) {
  // Refusals read as sentences about the device ("refused: X has ..."); what cannot be done is
  // a noun phrase, so the device goes before a colon ("cannot bind X: no usable vfio driver").
  auto print = [&](const std::vector<PlanProblem>* list, const char* label, const char* after_device) {
    if (!list) return;
    for (const auto& x : *list) {
      err << "vfioctl: " << label << (x.device.empty() ? "" : x.device + after_device) << x.message << "\n";
    }
  };
  print(p.bad_input, "", " ");
  print(p.refusals, "refused: ", " ");
  print(p.cannot, "cannot bind ", ": ");
}

void print_bind_dry_run(const BindPlan& plan, std::ostream& out) {
  for (const auto& p : plan.devices) {
    const std::string& dev = p.device.name;
    if (p.already_done) {
      out << dev << ": nothing to do (" << p.note << ")\n";
      continue;
    }
    out << dev << ": " << p.device.driver.value_or("no driver") << " → ";
    if (p.candidates.empty()) {
      out << "(no usable vfio driver)\n";
      continue;
    }
    const Candidate& c = p.candidates.front();
    std::string driver = c.drivers.empty() ? c.module + " (driver name known after loading " + c.module + ")" : c.drivers.front();
    out << driver << " [" << p.note << "]\n";
    if (!is_present(c.state)) out << "  load module " << c.module << "\n";
    std::string name = c.drivers.empty() ? "<driver of " + c.module + ">" : c.drivers.front();
    std::string base = "/sys/bus/" + p.device.bus;
    out << "  write " << name << " > " << base << "/devices/" << dev << "/driver_override\n";
    if (p.device.driver) out << "  write " << dev << " > " << base << "/drivers/" << *p.device.driver << "/unbind\n";
    out << "  write " << dev << " > " << base << "/drivers_probe\n";
    if (p.candidates.size() > 1) {
      out << "  if it refuses the device, then:";
      for (std::size_t i = 1; i < p.candidates.size(); ++i) out << " " << p.candidates[i].module;
      out << "\n";
    }
  }
  for (const auto& n : plan.notes) out << "note: " << n << "\n";
}

void print_release_dry_run(const ReleasePlan& plan, std::ostream& out) {
  for (const auto& p : plan.devices) {
    const std::string& dev = p.device.name;
    if (p.already_done) {
      out << dev << ": nothing to do (" << p.note << ")\n";
      continue;
    }
    std::string base = "/sys/bus/" + p.device.bus;
    out << dev << ": " << p.device.driver.value_or("no driver") << " → " << p.expected_driver.value_or("the host driver") << "\n";
    if (plan.to) {
      out << "  write " << p.expected_driver.value_or("<driver of " + plan.to->module + ">") << " > " << base << "/devices/" << dev << "/driver_override\n";
    } else {
      out << "  write \\n > " << base << "/devices/" << dev << "/driver_override\n";
    }
    if (p.device.driver) out << "  write " << dev << " > " << base << "/drivers/" << *p.device.driver << "/unbind\n";
    out << "  write " << dev << " > " << base << "/drivers_probe\n";
  }
}

json bind_plan_json(const BindPlan& plan) {
  json devices = json::array();
  for (const auto& p : plan.devices) {
    json candidates = json::array();
    for (const auto& c : p.candidates) candidates.push_back(candidate_json(c));
    devices.push_back({{"device", p.device.id()},
                       {"before", to_json(p.original)},
                       {"already_done", p.already_done},
                       {"note", p.note},
                       {"candidates", candidates}});
  }
  return devices;
}

json release_plan_json(const ReleasePlan& plan) {
  json devices = json::array();
  for (const auto& p : plan.devices) {
    devices.push_back({{"device", p.device.id()},
                       {"before", to_json(p.original)},
                       {"already_done", p.already_done},
                       {"note", p.note},
                       {"expected_driver", p.expected_driver ? json(*p.expected_driver) : json(nullptr)},
                       {"recorded", p.record.has_value()}});
  }
  return devices;
}

}  // namespace vfioctl
