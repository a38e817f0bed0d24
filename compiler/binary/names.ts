// The "name" custom section (spec 7.4.1): module, function and local names. Custom
// section contents are not part of validation, so a name section that does not parse is
// ignored rather than failing the module.

import { CompileError } from '../errors';
import { NameSection } from '../ir';
import { Reader } from './reader';

const enum NameSubsection { Module = 0, Function = 1, Local = 2 }

function nameMap(r: Reader): Map<number, string> {
  const map = new Map<number, string>();
  const n = r.len();
  for (let i = 0; i < n; i++) {
    const idx = r.u32();
    map.set(idx, r.name());
  }
  return map;
}

/** Returns the decoded names, or undefined if the section is malformed. */
export function decodeNameSection(bytes: Uint8Array): NameSection | undefined {
  const r = new Reader(bytes);
  const names: NameSection = { funcs: new Map(), locals: new Map() };
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.len();
      const end = r.pos + size;
      switch (id) {
        case NameSubsection.Module:
          names.module = r.name();
          break;
        case NameSubsection.Function:
          names.funcs = nameMap(r);
          break;
        case NameSubsection.Local: {
          const n = r.len();
          for (let i = 0; i < n; i++) {
            const func = r.u32();
            names.locals.set(func, nameMap(r));
          }
          break;
        }
        default:
          // Other subsections (labels, types, fields, ...) are skipped.
          r.pos = end;
      }
      if (r.pos !== end) return undefined;
    }
  } catch (e) {
    if (e instanceof CompileError) return undefined;
    throw e;
  }
  return names;
}
