// Members of the WebAssembly JS API that TypeScript's DOM library does not declare
// (exception handling), for type-checking the tests (tsconfig.test.json).

declare namespace WebAssembly {
  class Tag {
    constructor(type: { parameters: readonly string[] });
  }
  class Exception {
    constructor(tag: Tag, payload: readonly unknown[], options?: { traceStack?: boolean });
    is(tag: Tag): boolean;
    getArg(tag: Tag, index: number): unknown;
    readonly stack?: string;
  }
}
