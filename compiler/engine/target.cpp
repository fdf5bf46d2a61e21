// compiler/engine/target.cpp — native target registration and the host
// CPU, read once per process.
#include "engine/target.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include "engine/engine.h"

namespace flowc::engine {

namespace {

std::once_flag g_init_once;
HostCpu g_host;  // written once under g_init_once, read-only afterwards

// "+a,+b,-c" in a stable order, so that the attribute is the same string
// on every run and IR dumps compare equal.
std::string host_feature_string() {
  std::vector<std::string> features;
  for (const auto& entry : llvm::sys::getHostCPUFeatures()) {
    std::string feature(1, entry.getValue() ? '+' : '-');
    feature += entry.getKey();
    features.push_back(std::move(feature));
  }
  std::sort(features.begin(), features.end());
  std::string joined;
  for (const std::string& f : features) {
    if (!joined.empty()) joined += ',';
    joined += f;
  }
  return joined;
}

}  // namespace

void initialize_llvm() {
  std::call_once(g_init_once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    g_host.name = llvm::sys::getHostCPUName().str();
    g_host.features = host_feature_string();
  });
}

const HostCpu& host_cpu() {
  initialize_llvm();
  return g_host;
}

std::unique_ptr<llvm::TargetMachine> make_host_target_machine(const llvm::Triple& triple,
                                                              llvm::CodeGenOptLevel level,
                                                              std::string& error) {
  const HostCpu& host = host_cpu();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple.str(), error);
  if (!target) return nullptr;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(triple.str(), host.name, host.features, options,
                                  llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!tm) error = "cannot create a target machine for '" + triple.str() + "'";
  return tm;
}

std::unique_ptr<llvm::TargetMachine> make_portable_target_machine(const llvm::Triple& triple,
                                                                  llvm::CodeGenOptLevel level,
                                                                  std::string& error) {
  initialize_llvm();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple.str(), error);
  if (!target) return nullptr;
  llvm::TargetOptions options;
  const char* cpu = triple.getArch() == llvm::Triple::x86_64 ? "x86-64" : "generic";
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple.str(), cpu, "", options, llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!tm) error = "cannot create a target machine for '" + triple.str() + "'";
  return tm;
}

void retarget_to_host(llvm::Module& m, const llvm::TargetMachine& tm) {
  m.setDataLayout(tm.createDataLayout());
  if (m.getTargetTriple().empty()) m.setTargetTriple(tm.getTargetTriple().str());
  const HostCpu& host = host_cpu();
  for (llvm::Function& f : m) {
    if (f.isDeclaration()) continue;
    // Keep features a function asked for explicitly (target("...")
    // attributes) by appending them after the host's: later entries win.
    std::string features = host.features;
    if (f.hasFnAttribute("target-features")) {
      llvm::StringRef own = f.getFnAttribute("target-features").getValueAsString();
      if (own.starts_with(host.features)) continue;  // already retargeted
      if (!own.empty()) {
        features += ',';
        features += own;
      }
    }
    f.addFnAttr("target-cpu", host.name);
    f.addFnAttr("target-features", features);
    f.removeFnAttr("tune-cpu");
  }
}

}  // namespace flowc::engine
