// A compiled module: what Module.fromBinary produces from bytes under one engine's code
// settings, shared by every Module compiled from equal bytes under equal settings (the
// in-process cache, memory.ts) and by all their instances. It holds no per-instance state:
// instances get their own VMContext, and the factory is called once per instance.

import type { ModuleIR } from '../../compiler/ir';
import { translateModule, type TranslatedModule } from '../../compiler/translate';
import type { VMOffsets } from '../../vmctx';
import { raiseForCode } from '../optlimit';
import { checkOptionsFrom, type CodeSettings } from './settings';

/** How a persistent-cache entry relates to this artifact (node.ts). */
export interface PersistState {
  /** Translated functions (lazy mode) the entry holds, -1 when there is no entry. */
  functions: number;
  /** Whether the entry's V8 code cache was accepted by this process. */
  codeCacheOk: boolean;
}

export class Artifact {
  /** Set once translated (or loaded translated); shared afterwards. */
  translated: TranslatedModule | null = null;
  persist: PersistState | null = null;

  constructor(
    /** A private copy of the module's bytes. */
    readonly bytes: Uint8Array,
    readonly ir: ModuleIR,
    readonly canon: readonly number[],
    readonly offsets: VMOffsets,
    /** Validation's control depths; null for a deserialized module, whose factory source
     *  (the only user) came with it. */
    readonly controlDepths: readonly number[] | null,
    readonly settings: CodeSettings,
    readonly key: string,
  ) {}

  code(): TranslatedModule {
    if (!this.translated) {
      const s = this.settings;
      const t = translateModule(this.ir, this.offsets, this.canon, {
        lazy: s.compilation === 'lazy',
        controlDepths: this.controlDepths ?? undefined,
        checks: checkOptionsFrom(s),
        outlineThreshold: s.outlineThreshold,
        profile: s.codegen,
        i64: s.i64 ?? 'pairs',
        memoryAccess: s.memoryAccess ?? 'dataview',
      });
      this.translated = raiseForCode(t, s);
    }
    return this.translated;
  }

  /** Functions translated so far (lazy mode; eager: all in the factory source). */
  translatedCount(): number {
    return this.translated?.lazyTranslated?.size ?? 0;
  }
}
