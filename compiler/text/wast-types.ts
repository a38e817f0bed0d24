// The WAST script model: what compiler/text's parseWast returns and spec-tests/ executes.
// Modules inside a script are encoded lazily (`encode()`), so that a malformed module is a
// failure of its own command, not of the whole script.

/** Options of `parseWat` and `parseWast`. */
export interface TextOptions {
  /** Source file name, for error messages and `CompileError.file`. */
  filename?: string;
  /**
   * false: the memory64 proposal is switched off, so a 32-bit memory's limits are i32
   * constants and a larger one is malformed text (as before memory64). Default true.
   */
  memory64?: boolean;
}

export interface WastModuleSource {
  /** 'text': an inline (module ...); 'binary': (module binary "..."); 'quote': (module quote "..."). */
  readonly form: 'text' | 'binary' | 'quote';
  /** The module's $id, if any (without the `$`). */
  readonly id?: string;
  /** `(module definition ...)`: compiled and named, but not instantiated. */
  readonly definition: boolean;
  /**
   * The module's binary encoding. Throws CompileError('malformed', …) for malformed text,
   * placed (file, line, column) in the script.
   */
  encode(): Uint8Array;
}

export type WastConst =
  | { readonly type: 'i32'; readonly value: number } // int32
  | { readonly type: 'i64'; readonly value: bigint } // signed 64-bit
  | { readonly type: 'f32'; readonly bits: number } // uint32 bit pattern
  | { readonly type: 'f64'; readonly bits: bigint } // uint64 bit pattern
  | { readonly type: 'v128'; readonly bytes: Uint8Array } // 16 bytes, little-endian lanes
  | { readonly type: 'ref.null'; readonly heap: string } // abstract heap type name, or a type $id / index as text
  | { readonly type: 'ref.extern'; readonly value: number }
  | { readonly type: 'ref.host'; readonly value: number };

export type NanPattern = { readonly nan: 'canonical' | 'arithmetic' };

/** A v128 lane in an expectation: integer lanes as unsigned numbers (i64 lanes as unsigned bigint),
 *  float lanes as bit patterns (f32: uint32 number, f64: uint64 bigint), or a NaN pattern. */
export type LanePattern = number | bigint | NanPattern;

export type WastExpected =
  | WastConst
  | { readonly type: 'f32' | 'f64'; readonly nan: 'canonical' | 'arithmetic' }
  | {
      readonly type: 'v128';
      readonly shape: 'i8x16' | 'i16x8' | 'i32x4' | 'i64x2' | 'f32x4' | 'f64x2';
      readonly lanes: readonly LanePattern[];
    }
  /** `(ref.null)` with no heap type: any null reference. */
  | { readonly type: 'ref.null'; readonly heap?: undefined }
  /** `(ref.extern)` with no value: any non-null extern reference. */
  | { readonly type: 'ref.extern'; readonly value?: undefined }
  /** Kind-only reference patterns: any non-null reference of that kind. */
  | { readonly type: 'ref.func' | 'ref.struct' | 'ref.array' | 'ref.i31' | 'ref.eq' | 'ref.any' | 'ref.exn' }
  | { readonly type: 'either'; readonly options: readonly WastExpected[] };

export type WastAction =
  | { readonly type: 'invoke'; readonly module?: string; readonly field: string; readonly args: readonly WastConst[] }
  | { readonly type: 'get'; readonly module?: string; readonly field: string };

interface At {
  /** 1-based line of the command's opening parenthesis. */
  readonly line: number;
}

export type WastCommand = At &
  (
    | { readonly type: 'module'; readonly module: WastModuleSource }
    /** (module instance $inst $def) */
    | { readonly type: 'module_instance'; readonly instance?: string; readonly module?: string }
    | { readonly type: 'register'; readonly as: string; readonly name?: string }
    | { readonly type: 'action'; readonly action: WastAction }
    | { readonly type: 'assert_return'; readonly action: WastAction; readonly expected: readonly WastExpected[] }
    | { readonly type: 'assert_trap'; readonly action: WastAction; readonly message: string }
    /** assert_trap on a module: instantiation traps (e.g. in the start function or a segment). */
    | { readonly type: 'assert_trap_module'; readonly module: WastModuleSource; readonly message: string }
    | { readonly type: 'assert_exhaustion'; readonly action: WastAction; readonly message: string }
    | { readonly type: 'assert_exception'; readonly action: WastAction }
    | {
        readonly type: 'assert_invalid' | 'assert_malformed' | 'assert_unlinkable' | 'assert_uninstantiable';
        readonly module: WastModuleSource;
        readonly message: string;
      }
    /** (thread $name (shared (module $m))* cmd*): runs `commands` in another agent, where
     *  the `shared` modules' instances are available by name (threads proposal scripts). */
    | {
        readonly type: 'thread';
        readonly name?: string;
        readonly shared: readonly string[];
        readonly commands: readonly WastCommand[];
      }
    /** (wait $name): joins the thread. */
    | { readonly type: 'wait'; readonly thread: string }
  );
