/** Instantiation with the imports checked first, so a missing one is named in one line. */
import { UserError } from './errors.js';

/** Imports the module needs that `provided` does not supply, as "module::name". */
function missingImports(declared: readonly WebAssembly.ModuleImportDescriptor[], provided: WebAssembly.Imports): string[] {
  const missing: string[] = [];
  for (const imp of declared) {
    const ns = provided[imp.module] as Record<string, unknown> | undefined;
    if (ns === undefined || !(imp.name in ns)) missing.push(`${imp.module}::${imp.name}`);
  }
  return missing;
}

/** A UserError naming every import the module needs that `imports` lacks. */
export function assertImports(module: WebAssembly.Module, imports: WebAssembly.Imports, declared = WebAssembly.Module.imports(module)): void {
  const missing = missingImports(declared, imports);
  if (missing.length > 0) {
    throw new UserError(`unknown import: ${missing.map((m) => '`' + m + '`').join(', ')} has not been defined`);
  }
}

export function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports, declared = WebAssembly.Module.imports(module)): WebAssembly.Instance {
  assertImports(module, imports, declared);
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) throw new UserError(`failed to instantiate: ${e.message.replace(/^WebAssembly\.Instance\(\): /, '')}`);
    throw e;
  }
}
