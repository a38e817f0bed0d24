// FuncTranslator: one validated function body -> the source text of one JS function.
//
// Operand-stack slots become JS locals named by depth (`s0`, `s1`, ...); Wasm locals are
// `l0`, `l1`, ... (parameters first). A stack entry is either materialized (its text is
// its slot name) or *pending*: a pure expression (no side effects, cannot trap) over
// constants, locals and its own slot, evaluated where it is consumed. Invariants:
//   - a pending entry at depth d references no slot other than s<d> (so writing any other
//     slot never changes its value);
//   - before local x is written, every pending entry mentioning l<x> is materialized;
//   - at every block boundary and branch target all entries are materialized, and a
//     block's results sit in the slots s<h>..s<h+n-1> where h is its entry height.
// Everything that traps or has an effect (loads, calls, global reads, division) is emitted
// as a statement at its position in the instruction sequence.

import type { FuncType, Instr, FuncBody, ValType } from '../ir';
import { CatchKind } from '../ir';
import * as i64 from './i64';
import { outlineBody, outlineLimits } from './outline';
import { CheckPoints } from './checks';
import { BigEstimate, DESC_SMALL, opDesc } from './ops';
import { OpClass, opByCode } from '../opcodes';
import type { OpDesc } from './ops';
import { NAN_CARRIERS, floatEqualityCarrier } from './nan';
import {
  asU32,
  entry,
  isIntLiteral,
  paramList,
  MAX_SUM_TERMS,
  TRAP_MSG,
  numberLiteral,
  f32Value,
  f64Value,
} from './exprs';
import { BIGINT_BAILOUT, newFrame } from './stack';
import { SimdLowering } from './simd';
import { use } from './bindings';

/** The JS operator of each unsigned i32 comparison (operands converted with asU32). */
const UNSIGNED_COMPARE: Readonly<Record<string, string>> = { lt_u: '<', gt_u: '>', le_u: '<=', ge_u: '>=' };

export class FuncTranslator extends SimdLowering {
  /**
   * Returns `function fN(l0, l1, ...) { ... }` for defined function `funcIdx`. `name` is the
   * JS function's name (default: its identity, env.callee); a trampolined function's body is
   * `${name}b` and is attached to the identity under TB.
   */
  translateFunction(funcIdx: number, body: FuncBody, name?: string): string {
    const type = this.env.funcType(funcIdx);
    this.out = [];
    this.indent = 1;
    this.stack = [];
    this.frames = [];
    this.reachable = true;
    this.deadDepth = 0;
    this.maxDepth = 0;
    this.labelCounter = 0;
    this.usesTmp = false;
    this.usesQ = false;
    this.maxHiDepth = 0;
    this.usesCallee = false;
    this.exnCounter = 0;
    this.chains = [];
    this.tailCalls = false;
    this.callsOut = false;
    this.hasLoop = false;
    this.viewsCopied = false;
    this.sums.clear();
    this.bigGain = 0;
    this.bigCost = 0;
    this.bigMuls = 0;
    this.loopDepth = 0;
    this.bigRaw.clear();
    this.bigUncovered = false;
    this.lastSlotAssign = -1;
    this.checks = this.env.checkOptions ? new CheckPoints(this.env.checkOptions) : null;
    if (this.checks && !this.checks.enabled) this.checks = null;
    this.openCheckRegion();
    this.localTypes = [...type.params, ...body.locals];
    this.frames.push(newFrame('func', 'L0', 0, [], type.results));
    // A body kept as bytes is read once, instruction by instruction, into one reused object
    // (translateOperator reads only the fields of the instruction's immediate kind).
    const m = this.env.module;
    if (body.start !== undefined && m.bodyStream !== undefined) {
      const stream = m.bodyStream(funcIdx - m.numImportedFuncs, true);
      const ins = stream.instr;
      while (stream.next()) this.translateOperator(ins);
    } else {
      const code = body.body;
      for (let i = 0; i < code.length; i++) this.translateOperator(code[i]);
    }
    // The function's final `end`.
    if (this.reachable) this.emitReturn();
    this.checks?.close(this.out);

    // Views in locals pay for their copies at entry only where a loop reads them often.
    this.viewsCopied =
      this.mayCopyViews &&
      this.env.localViewsAllowed === true &&
      this.hasLoop &&
      !this.callsOut &&
      !this.tailCalls &&
      this.checks === null;
    const params = paramList(type.params);
    const identity = this.env.callee(funcIdx);
    const self = name ?? identity;
    // Functions too large for V8's optimizing tier are split into nested regions.
    let head = this.head(type.params.length);
    // The text's length decides (outlineBody would sum its lines again, a pass over every
    // line of every function).
    let text = this.out.join('\n');
    if (this.outlining) {
      const threshold =
        this.env.outlineThreshold ??
        (this.env.profile === 'interpreter' ? outlineLimits.interpreterThreshold : outlineLimits.threshold);
      const o = text.length + 1 > threshold ? outlineBody(this.out, threshold) : null;
      if (o !== null) {
        head += o.decls.join('\n') + '\n';
        text = o.body.join('\n');
      }
    }
    if (this.tailCalls) {
      // Trampolined: the body may return TAIL; the entry runs the pending tail calls.
      return (
        `function ${self}b(${params}) {\n${head}${text}\n}\n` +
        `function ${self}(${params}) { return ${use('runTail')}(${self}b(${params})); }\n${identity}[${use('TB')}] = ${self}b;` +
        // The code of a lazy stub is what callIndirect returns (runtime/vm/helpers.ts), so a
        // tail call through a table finds the body on it too.
        (self !== identity ? `\n${self}[${use('TB')}] = ${self}b;` : '')
      );
    }
    return `function ${self}(${params}) {\n${head}${text}\n}`;
  }

  /** Whether the last translated function was trampolined (several statements, not one). */
  get trampolined(): boolean {
    return this.tailCalls;
  }

  // ------------------------------------------------------------------ the operator switch

  translateOperator(ins: Instr): void {
    const op = ins.op;
    // local.get and i32.const, two instructions in five: what the path below would do for
    // them (no check points to count, no BigInt mode, no estimate class), without it.
    if ((op === 0x20 || op === 0x41) && this.reachable && this.checks === null && !this.big) {
      if (op === 0x20) this.pushLocal(ins.idx!);
      else this.pushPending(String(ins.value as number));
      return;
    }
    // The table read inline: without a JIT a call per instruction is a cost of its own.
    const desc = (op < 256 ? DESC_SMALL[op] : undefined) ?? opDesc(op);
    if (!desc) throw new Error(`unknown opcode ${op}`);
    if (desc.tail) this.tailCalls = true;
    if (this.reachable) {
      this.checks?.count();
      if (this.big && this.bigOperator(desc, ins)) return;
      if (this.estimatingBig && desc.bigEstimate !== BigEstimate.None) this.estimateBig(desc, ins);
      // Numeric operators, loads and stores (most instructions) go straight to their
      // translation; the large switch below is entered only for the others.
      if (desc.numeric) this.translateNamed(desc, ins);
      else this.translateOther(desc, ins);
      return;
    }
    // Dead code: skipped, tracking only block structure.
    switch (desc.kind) {
      case OpClass.Block:
      case OpClass.Loop:
      case OpClass.If:
      case OpClass.TryTable:
      case OpClass.Try:
        this.deadDepth++;
        return;
      case OpClass.End:
        if (this.deadDepth > 0) {
          this.deadDepth--;
          return;
        }
        break;
      case OpClass.Else:
      case OpClass.Catch:
      case OpClass.CatchAll:
        if (this.deadDepth > 0) return;
        break;
      case OpClass.Delegate:
        if (this.deadDepth > 0) {
          this.deadDepth--;
          return;
        }
        break;
      default:
        return;
    }
    this.checks?.count();
    this.translateOther(desc, ins);
  }

  /** Every instruction but the numeric ones (translateNamed), reachable or ending dead code. */
  private translateOther(desc: OpDesc, ins: Instr): void {
    const name = desc.name;
    switch (desc.kind) {
      // ------------------------------------------------------------ control
      case OpClass.Nop:
        return;
      case OpClass.Unreachable:
        this.emit(this.trap(TRAP_MSG.unreachable));
        this.setUnreachable();
        return;
      case OpClass.Block:
      case OpClass.Loop: {
        if (desc.kind === OpClass.Loop) {
          this.hasLoop = true;
          this.loopDepth++;
        }
        const sig = this.blockSig(ins.bt);
        this.flushAll();
        const label = this.newLabel();
        this.frames.push(
          newFrame(
            desc.kind === OpClass.Block ? 'block' : 'loop',
            label,
            this.stack.length - sig.params.length,
            sig.params,
            sig.results,
            this.out.length,
          ),
        );
        this.emit(name === 'block' ? `${label}: {` : `${label}: for (;;) {`);
        this.indent++;
        if (name === 'loop') this.openCheckRegion();
        else this.extendBlockRun();
        return;
      }
      case OpClass.If: {
        const sig = this.blockSig(ins.bt);
        const c = this.popCond();
        this.flushAll();
        const label = this.newLabel();
        this.frames.push(newFrame('if', label, this.stack.length - sig.params.length, sig.params, sig.results));
        this.emit(`${label}: if (${c}) {`);
        this.indent++;
        return;
      }
      case OpClass.Else: {
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        f.hasElse = true;
        this.indent--;
        this.emit('} else {');
        this.indent++;
        this.resetStackTo(f.height, f.params);
        this.reachable = true;
        return;
      }
      case OpClass.End: {
        const f = this.frames[this.frames.length - 1];
        if (f.kind === 'func') {
          // The function's final end is implicit in FuncBody; an explicit one ends it too.
          if (this.reachable) this.emitReturn();
          this.setUnreachable();
          return;
        }
        this.endBlock(f);
        return;
      }
      case OpClass.Br:
        this.emit(this.branchStatement(ins.idx!));
        this.setUnreachable();
        return;
      case OpClass.BrIf: {
        const c = this.popCond();
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        if (assigns.length === 0) this.emit(`if (${c}) ${stmt}`);
        else {
          this.emit(`if (${c}) {`);
          this.out.push(...assigns);
          this.emit(`  ${stmt}`);
          this.emit('}');
        }
        return;
      }
      case OpClass.BrTable: {
        const idx = this.pop();
        const labels = ins.labels!;
        const groups = new Map<number, number[]>();
        labels.forEach((l, i) => {
          if (l === ins.idx) return;
          const g = groups.get(l);
          if (g) g.push(i);
          else groups.set(l, [i]);
        });
        if (groups.size === 0) {
          this.emit(this.branchStatement(ins.idx!));
          this.setUnreachable();
          return;
        }
        this.emit(`switch (${idx}) {`);
        this.indent++;
        for (const [l, cases] of groups) {
          this.emit(cases.map((c) => `case ${c}:`).join(' '));
          this.indent++;
          this.emit(this.branchStatement(l));
          this.indent--;
        }
        this.emit('default:');
        this.indent++;
        this.emit(this.branchStatement(ins.idx!));
        this.indent -= 2;
        this.emit('}');
        this.setUnreachable();
        return;
      }
      case OpClass.Return:
        this.emitReturn();
        this.setUnreachable();
        return;
      case OpClass.Call: {
        const ft = this.env.funcType(ins.idx!);
        const args = this.popArgs(ft.params.length, ft.params);
        this.pushCallResults(`${this.env.directCallee(ins.idx!)}(${args.join(', ')})`, ft.results);
        return;
      }
      case OpClass.CallIndirect: {
        const ft = this.env.typeAt(ins.idx!);
        const t = this.env.table(ins.idx2!);
        const i = this.addrOperand(t.is64);
        const args = this.popArgs(ft.params.length, ft.params);
        this.pushCallResults(
          `${use('callIndirect')}(${t.elems}, ${i}, ${this.env.canonicalTypeId(ins.idx!)})(${args.join(', ')})`,
          ft.results,
        );
        return;
      }
      case OpClass.CallRef: {
        const ft = this.env.typeAt(ins.idx!);
        const f = this.popSimple();
        const args = this.popArgs(ft.params.length, ft.params);
        this.emit(`if (${f} === null) ${this.trap(TRAP_MSG.nullFunc)}`);
        this.pushCallResults(`${f}(${args.join(', ')})`, ft.results);
        return;
      }
      case OpClass.ReturnCall:
      case OpClass.ReturnCallIndirect:
      case OpClass.ReturnCallRef: {
        // The function is trampolined (see translateFunction): a tail call stores its
        // arguments in TA and returns the TAIL sentinel to the caller's runTail loop, so the
        // JS stack does not grow.
        let ft: FuncType;
        let callee: string;
        this.callsOut = true;
        if (name === 'return_call') {
          ft = this.env.funcType(ins.idx!);
          const args = this.popArgs(ft.params.length, ft.params);
          callee = this.env.callee(ins.idx!);
          this.emitTailCall(callee, args);
        } else if (name === 'return_call_indirect') {
          ft = this.env.typeAt(ins.idx!);
          const t = this.env.table(ins.idx2!);
          const i = this.addrOperand(t.is64);
          const args = this.popArgs(ft.params.length, ft.params);
          this.usesCallee = true;
          this.emit(`fn = ${use('callIndirect')}(${t.elems}, ${i}, ${this.env.canonicalTypeId(ins.idx!)});`);
          this.emitTailCall('fn', args);
        } else {
          ft = this.env.typeAt(ins.idx!);
          const f = this.popSimple();
          const args = this.popArgs(ft.params.length, ft.params);
          this.emit(`if (${f} === null) ${this.trap(TRAP_MSG.nullFunc)}`);
          this.emitTailCall(f, args);
        }
        this.setUnreachable();
        return;
      }
      case OpClass.Drop:
        this.pop();
        return;
      case OpClass.Select:
      case OpClass.SelectT: {
        const top = this.stack[this.stack.length - 2];
        if (top.hi !== undefined) {
          const c = this.popSimple();
          const b = this.popPair();
          const a = this.popPair();
          this.pushPair({ lo: `(${c} ? ${a.lo} : ${b.lo})`, hi: `(${c} ? ${a.hi} : ${b.hi})` }, true);
          return;
        }
        const c = this.popCond();
        const b = this.pop();
        const a = this.pop();
        this.push(`(${c} ? ${a} : ${b})`, true);
        return;
      }

      // ------------------------------------------------------------ variables
      case OpClass.LocalGet:
        this.pushLocal(ins.idx!);
        return;
      case OpClass.LocalSet:
        this.localSet(ins.idx!, this.popEntry());
        return;
      case OpClass.LocalTee: {
        this.localSet(ins.idx!, this.popEntry());
        this.pushLocal(ins.idx!);
        return;
      }
      case OpClass.GlobalGet:
        if (this.env.globalType(ins.idx!) === 'i64') {
          const w = this.env.globalI64Words(ins.idx!);
          this.pushPairStmt((lo, hi) => `${lo} = ${w.lo}; ${hi} = ${w.hi};`);
        } else this.push(this.env.globalGet(ins.idx!), false);
        return;
      case OpClass.GlobalSet:
        if (this.env.globalType(ins.idx!) === 'i64') {
          const w = this.env.globalI64Words(ins.idx!);
          const v = this.popPair();
          this.emit(`${w.lo} = ${v.lo}; ${w.hi} = ${v.hi};`);
        } else this.emit(this.env.globalSet(ins.idx!, this.pop()));
        return;

      // ------------------------------------------------------------ tables
      case OpClass.TableGet: {
        const t = this.env.table(ins.idx!);
        const i = this.addrOperand(t.is64);
        this.push(`${use('tableGet')}(${t.elems}, ${i})`, false);
        return;
      }
      case OpClass.TableSet: {
        const t = this.env.table(ins.idx!);
        const v = this.pop();
        const i = this.addrOperand(t.is64);
        this.emit(`${use('tableSet')}(${t.elems}, ${i}, ${v});`);
        return;
      }
      case OpClass.TableSize: {
        const t = this.env.table(ins.idx!);
        this.pushAddress(`${t.elems}.length`, t.is64);
        return;
      }
      case OpClass.TableGrow: {
        const t = this.env.table(ins.idx!);
        const n = this.addrOperand(t.is64);
        const v = this.pop();
        this.pushAddress(`${use('tableGrow')}(${t.obj}, ${v}, ${n})`, t.is64);
        return;
      }
      case OpClass.TableFill: {
        const t = this.env.table(ins.idx!);
        const n = this.addrOperand(t.is64);
        const v = this.pop();
        const i = this.addrOperand(t.is64);
        this.emit(`${use('tableFill')}(${t.elems}, ${i}, ${v}, ${n});`);
        return;
      }
      case OpClass.TableCopy: {
        const dt = this.env.table(ins.idx!);
        const st = this.env.table(ins.idx2!);
        const n = this.addrOperand(dt.is64 && st.is64);
        const s = this.addrOperand(st.is64);
        const d = this.addrOperand(dt.is64);
        this.emit(`${use('tableCopy')}(${dt.elems}, ${st.elems}, ${d}, ${s}, ${n});`);
        return;
      }
      case OpClass.TableInit: {
        const t = this.env.table(ins.idx2!);
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(t.is64);
        this.emit(`${use('tableInit')}(${t.elems}, ${this.env.elemSegment(ins.idx!)}, ${d}, ${s}, ${n});`);
        return;
      }
      case OpClass.ElemDrop:
        this.emit(this.env.dropElem(ins.idx!));
        return;

      // ------------------------------------------------------------ memory
      case OpClass.MemorySize: {
        const m = this.env.memory(ins.idx!);
        // A shared memory's size is read from its buffer: another agent may have grown it.
        const pages = m.shared ? `${use('H')}.memPages(${m.obj})` : `(${m.len} / ${2 ** m.pageSizeLog2})`;
        this.pushAddress(m.is64 ? pages : `(${pages} | 0)`, m.is64);
        return;
      }
      case OpClass.MemoryGrow: {
        const m = this.env.memory(ins.idx!);
        const n = this.addrOperand(m.is64);
        this.callsOut = true;
        this.pushAddress(`${use('memGrow')}(${m.obj}, ${n})`, m.is64);
        return;
      }
      case OpClass.MemoryFill: {
        const m = this.env.memory(ins.idx!);
        const n = this.addrOperand(m.is64);
        const v = this.pop();
        const d = this.addrOperand(m.is64);
        this.emit(`${use('memFill')}(${m.obj}, ${d}, ${v}, ${n});`);
        return;
      }
      case OpClass.MemoryCopy: {
        const dm = this.env.memory(ins.idx!);
        const sm = this.env.memory(ins.idx2!);
        const n = this.addrOperand(dm.is64 && sm.is64);
        const s = this.addrOperand(sm.is64);
        const d = this.addrOperand(dm.is64);
        this.emit(`${use('memCopy')}(${dm.obj}, ${sm.obj}, ${d}, ${s}, ${n});`);
        return;
      }
      case OpClass.MemoryInit: {
        const m = this.env.memory(ins.idx2!);
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(m.is64);
        this.emit(`${use('memInit')}(${m.obj}, ${this.env.dataSegment(ins.idx!)}, ${d}, ${s}, ${n});`);
        return;
      }
      case OpClass.DataDrop:
        this.emit(this.env.dropData(ins.idx!));
        return;

      // ------------------------------------------------------------ constants
      case OpClass.I32Const:
        this.pushPending(String(ins.value as number));
        return;
      case OpClass.I64Const:
        this.pushPair(i64.i64Const(ins.value as bigint), true);
        return;
      case OpClass.F32Const: {
        const bits = (ins.value as number) >>> 0;
        if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0)
          this.push(this.pool.add(`${use('f32FromBits')}(${bits})`), true);
        else this.push(numberLiteral(f32Value(bits)), true);
        return;
      }
      case OpClass.F64Const: {
        const bits = BigInt.asUintN(64, ins.value as bigint);
        const x = f64Value(bits);
        if (Number.isNaN(x)) this.push(this.pool.add(`${use('f64FromBits')}(0x${bits.toString(16)}n)`), true);
        else this.push(numberLiteral(x), true);
        return;
      }
      case OpClass.V128Const: {
        const b = ins.bytes!;
        const w = new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 16));
        this.push(this.pool.add(`${use('V128')}(${w[0]}, ${w[1]}, ${w[2]}, ${w[3]})`), true);
        return;
      }

      // ------------------------------------------------------------ references
      case OpClass.RefNull:
        this.push('null', true);
        return;
      case OpClass.RefIsNull: {
        const v = this.pop();
        this.push(`(${v} === null ? 1 : 0)`, true, `${v} === null`);
        return;
      }
      case OpClass.RefFunc:
        this.push(this.env.callee(ins.idx!), true);
        return;
      case OpClass.RefAsNonNull: {
        const v = this.popSimple();
        this.emit(`if (${v} === null) ${this.trap(TRAP_MSG.nullRef)}`);
        this.push(v, true);
        return;
      }
      case OpClass.RefEq: {
        const b = this.pop();
        const a = this.pop();
        this.push(`(${a} === ${b} ? 1 : 0)`, true, `${a} === ${b}`);
        return;
      }
      case OpClass.BrOnNull: {
        const v = this.popSimple();
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        this.emit(`if (${v} === null) {`);
        this.out.push(...assigns);
        this.emit(`  ${stmt}`);
        this.emit('}');
        this.push(v, true);
        return;
      }
      case OpClass.BrOnNonNull: {
        const v = this.popSimple();
        this.push(v, true);
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        this.pop();
        this.emit(`if (${v} !== null) {`);
        this.out.push(...assigns);
        this.emit(`  ${stmt}`);
        this.emit('}');
        return;
      }

      // ------------------------------------------------------------ exceptions
      case OpClass.Throw: {
        const ft = this.env.typeAt(this.tagTypeIdx(ins.idx!));
        const args = this.popN(ft.params.length);
        // Arguments, not an array literal: a literal of numbers may become a double array,
        // which quiets signalling NaNs.
        this.emit(`${use('throwException')}(${[this.env.tag(ins.idx!), ...args].join(', ')});`);
        this.setUnreachable();
        return;
      }
      case OpClass.ThrowRef: {
        const v = this.popSimple();
        this.emit(`if (${v} === null) ${this.trap(TRAP_MSG.nullRef)}`);
        this.emit(`throw ${v};`);
        this.setUnreachable();
        return;
      }
      case OpClass.TryTable: {
        this.tryTable(ins);
        return;
      }
      case OpClass.Try: {
        const sig = this.blockSig(ins.bt);
        this.flushAll();
        const label = this.newLabel();
        const exnVar = `x${this.exnCounter++}`;
        this.frames.push(
          newFrame('try', label, this.stack.length - sig.params.length, sig.params, sig.results, -1, exnVar),
        );
        this.emit(`${label}: try {`);
        this.indent++;
        return;
      }
      case OpClass.Catch:
      case OpClass.CatchAll: {
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        this.indent--;
        if (!f.inCatch) {
          // The first clause opens the JS catch; later clauses chain as else-ifs.
          this.emit(`} catch (${f.exnVar}_) {`);
          this.indent++;
          this.emitCatchPrologue(f.exnVar);
          f.inCatch = true;
          this.emit(name === 'catch' ? `if (${f.exnVar}.tag === ${this.env.tag(ins.idx!)}) {` : '{');
        } else {
          this.emit(name === 'catch' ? `} else if (${f.exnVar}.tag === ${this.env.tag(ins.idx!)}) {` : '} else {');
        }
        if (name === 'catch_all') f.hasCatchAll = true;
        this.indent++;
        this.resetStackTo(f.height, []);
        if (name === 'catch') {
          const ft = this.env.typeAt(this.tagTypeIdx(ins.idx!));
          ft.params.forEach((t, i) => {
            if (t === 'i64') this.pushPairCall(i64.i64UnboxCall(`${f.exnVar}.payload[${i}]`));
            else this.push(`${f.exnVar}.payload[${i}]`, false);
          });
        }
        this.reachable = true;
        return;
      }
      case OpClass.Rethrow: {
        const f = this.frames[this.frames.length - 1 - ins.idx!];
        this.emit(`throw ${f.exnVar};`);
        this.setUnreachable();
        return;
      }
      case OpClass.Delegate: {
        // try ... delegate l: an exception leaving the body is rethrown as if from the
        // block at label l (counted from outside this try): the handlers of the try blocks
        // in between must not see it. Every try/try_table here has a JS catch that first
        // skips `dg` pending handlers, so the delegate sets dg to the number in between.
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        this.frames.pop();
        const targetIdx = this.frames.length - 1 - ins.idx!;
        let skip = 0;
        for (let k = targetIdx + 1; k < this.frames.length; k++) {
          if (this.frames[k].kind === 'try' || this.frames[k].kind === 'try_table') skip++;
        }
        this.indent--;
        this.emit(`} catch (${f.exnVar}_) {`);
        this.emit(`  if (dg > 0) { dg--; throw ${f.exnVar}_; }`);
        this.emit(`  dg = ${skip}; throw ${use('wrapTrap')}(${f.exnVar}_);`);
        this.emit('}');
        this.afterBlock(f);
        return;
      }
    }
    this.translateNamed(desc, ins);
  }

  private tryTable(ins: Instr): void {
    const sig = this.blockSig(ins.bt);
    this.flushAll();
    const label = this.newLabel();
    const exnVar = `x${this.exnCounter++}`;
    const height = this.stack.length - sig.params.length;
    // Branch targets of the catch clauses are resolved relative to the enclosing frames,
    // i.e. before this frame is pushed.
    const handlers: string[] = [];
    for (const c of ins.catches ?? []) {
      const target = this.frames[this.frames.length - 1 - c.label];
      // Build the values pushed for this clause on a scratch stack.
      const saved = this.stack;
      const savedOut = this.out;
      const savedIndent = this.indent;
      this.stack = saved.slice(0, height);
      this.out = [];
      this.indent = 0;
      if (c.kind === CatchKind.Catch || c.kind === CatchKind.CatchRef) {
        const ft = this.env.typeAt(this.tagTypeIdx(c.tag!));
        ft.params.forEach((t, i) => {
          const v = `${exnVar}.payload[${i}]`;
          if (t === 'i64') {
            const p = i64.i64UnboxPure(v);
            this.stack.push(entry(p.lo, p.hi, true, undefined));
          } else this.stack.push(entry(v, undefined, true, undefined));
        });
      }
      if (c.kind === CatchKind.CatchRef || c.kind === CatchKind.CatchAllRef)
        this.stack.push(entry(exnVar, undefined, true, undefined));
      const stmt = target.kind === 'func' ? this.returnStatement() : this.branchStatement(c.label);
      const body = [...this.out.map((l) => l.trim()), stmt].join(' ');
      this.stack = saved;
      this.out = savedOut;
      this.indent = savedIndent;
      const cond =
        c.kind === CatchKind.Catch || c.kind === CatchKind.CatchRef
          ? `${exnVar}.tag === ${this.env.tag(c.tag!)}`
          : 'true';
      handlers.push(`if (${cond}) { ${body} }`);
    }
    this.frames.push(newFrame('try_table', label, height, sig.params, sig.results, -1, exnVar, handlers));
    // The try_table block: the body runs in a JS try; the catch dispatches to clause targets.
    this.emit(`${label}: {`);
    this.indent++;
    this.emit('try {');
    this.indent++;
  }

  // ------------------------------------------------------------------ BigInt mode

  /**
   * BigInt mode (i64.ts): translates an instruction that takes or gives i64 values and
   * returns true, or returns false for one the ordinary translation handles as it is (no
   * i64 operand or result, or only through calls, returns, locals and blocks, which the
   * stack converts). Throws BIGINT_BAILOUT for the instructions the mode does not cover.
   */
  private bigOperator(desc: OpDesc, ins: Instr): boolean {
    if (desc.bigEstimate === BigEstimate.Uncovered) throw BIGINT_BAILOUT;
    switch (desc.kind) {
      case OpClass.I64Const:
        this.push(i64.bigLiteral(ins.value as bigint), true);
        return true;
      case OpClass.Select:
      case OpClass.SelectT: {
        // The ordinary select joins its operands into a new text: reduce them first.
        const n = this.stack.length;
        for (let d = n - 3; d < n - 1; d++) {
          const en = this.stack[d];
          if (this.bigRaw.has(en.e)) this.stack[d] = entry(i64.bigMask(en.e), undefined, true, undefined);
        }
        return false;
      }
      case OpClass.GlobalGet:
        if (this.env.globalType(ins.idx!) !== 'i64') return false;
        this.translateOther(desc, ins);
        this.pairToBigAt(this.stack.length - 1);
        return true;
      case OpClass.GlobalSet:
        if (this.env.globalType(ins.idx!) !== 'i64') return false;
        this.bigToPairAt(this.stack.length - 1);
        this.translateOther(desc, ins);
        return true;
    }
    if (!desc.numeric) return false;
    const sig = opByCode.get(ins.op)?.sig;
    if (sig === undefined || !sig.includes('I')) return false;
    if (this.bigNative(desc, ins)) return true;
    // Any other operator on i64s: its word-pair translation between conversions.
    const [ps, rs] = sig.split('>');
    const base = this.stack.length - ps.length;
    for (let k = 0; k < ps.length; k++) if (ps[k] === 'I') this.bigToPairAt(base + k);
    this.translateNamed(desc, ins);
    const top = this.stack.length - rs.length;
    for (let k = 0; k < rs.length; k++) if (rs[k] === 'I') this.pairToBigAt(top + k);
    return true;
  }

  /**
   * Word-pair translation with BigInt mode on offer (estimatingBig): adds what BigInt mode
   * would gain or pay at this instruction to the balance, as bigOperator and the stack's
   * conversions would, so that the function is translated a second time, in BigInt mode,
   * only where that is likely to pay.
   */
  private estimateBig(desc: OpDesc, ins: Instr): void {
    const e = desc.bigEstimate;
    if (e === BigEstimate.Uncovered) {
      this.bigUncovered = true;
      return;
    }
    // The balance counts what runs in loops (see bigCharge).
    if (this.loopDepth === 0) return;
    const w = BIG_FIXED_BALANCE.get(e);
    if (w !== undefined) {
      if (w > 0) this.bigGain += w;
      else this.bigCost -= w;
      return;
    }
    switch (e) {
      case BigEstimate.Mul:
        this.bigCreditMul();
        return;
      case BigEstimate.Call: {
        const ft = desc.kind === OpClass.Call ? this.env.funcType(ins.idx!) : this.env.typeAt(ins.idx!);
        this.bigCost += 2 * i64Count(ft.params, ft.results);
        return;
      }
      case BigEstimate.Global:
        if (this.env.globalType(ins.idx!) === 'i64') this.bigCost += 2;
        return;
      case BigEstimate.Return:
        this.bigCost += 2 * i64Count(this.frames[0].results);
        return;
    }
  }

  /** BigInt mode: the i64 operators written with BigInt operators; false for the others. */
  private bigNative(desc: OpDesc, ins: Instr): boolean {
    const op = desc.op;
    if (desc.mem !== null) {
      // Plain 8-byte accesses: one DataView call, whose range check is the bounds check.
      if (desc.ty !== 'i64' || (op !== 'load' && op !== 'store')) return false;
      const ma = ins.memarg!;
      const m = this.env.memory(ma.mem);
      this.bigCredit(1);
      if (op === 'load') {
        this.push(`${m.dv}.getBigUint64(${this.effectiveAddress(m, ma.offset, 8, true)}, 1)`, false);
      } else {
        const v = this.pop();
        this.emit(`${m.dv}.setBigUint64(${this.effectiveAddress(m, ma.offset, 8, true)}, ${v}, 1);`);
      }
      return true;
    }
    if (desc.ty === 'i32') {
      if (op !== 'wrap_i64') return false;
      this.bigCharge(1);
      this.push(i64.bigWrap(this.pop()), true);
      return true;
    }
    if (desc.ty !== 'i64') return false;
    if (op === 'eqz') {
      const c = `${this.bigReduced(this.pop())} === 0n`;
      this.push(`(${c} ? 1 : 0)`, true, c);
      return true;
    }
    if (op === 'extend_i32_s' || op === 'extend_i32_u') {
      this.bigCharge(1);
      this.push(i64.bigExtendI32(this.pop(), op === 'extend_i32_s'), true);
      return true;
    }
    const rotate = i64.bigBinaryNeedsSimple(op);
    if (i64.bigCompare(op, 'a', 'b') !== null) {
      const b = this.bigReduced(this.pop());
      const c = i64.bigCompare(op, this.bigReduced(this.pop()), b)!;
      this.push(`(${c} ? 1 : 0)`, true, c);
      return true;
    }
    if (i64.bigBinary(op, '', '') === null) return false;
    // A word-pair product is three imul calls and double arithmetic; the bitwise operators,
    // shifts and rotates are a few int32 operators on pairs but a new BigInt each here.
    if (op === 'mul') this.bigCreditMul();
    else if (op === 'add' || op === 'sub') this.bigCredit(1);
    else this.bigCharge(1);
    // A rotate's operand is simple, so it was stored reduced; a right shift needs the
    // reduced value; the count's low six bits are all it reads.
    const b = rotate ? this.popSimple() : this.pop();
    const a = rotate ? this.popSimple() : op === 'shr_u' || op === 'shr_s' ? this.bigReduced(this.pop()) : this.pop();
    const raw = this.bigRaw.has(a) || this.bigRaw.has(b);
    let e: string;
    if (op === 'and' || op === 'or' || op === 'xor') {
      e = i64.bigBinary(op, a, b)!;
      if (raw) this.bigRaw.add(e);
    } else if (i64.bigModular(op) && !raw) {
      // Reduced operands: leave the result unreduced for the next operator to take.
      e = i64.bigBinaryUnreduced(op, a, b);
      this.bigRaw.add(e);
    } else e = i64.bigBinary(op, a, b)!;
    this.push(e, true);
    return true;
  }

  // ------------------------------------------------------------------ numeric operators

  private translateNamed(desc: OpDesc, ins: Instr): void {
    const name = desc.name;
    if (desc.atomic) return this.atomic(ins, name);
    if (desc.mem !== null) {
      if (desc.mem === 'load') return this.load(ins, name);
      return this.store(ins, name);
    }
    const ty = desc.ty;
    const op = desc.op;
    switch (ty) {
      case 'i32':
        if (this.i32Op(op)) return;
        break;
      case 'i64':
        if (this.i64Op(op)) return;
        break;
      case 'f32':
        if (this.floatOp(op, true)) return;
        break;
      case 'f64':
        if (this.floatOp(op, false)) return;
        break;
    }
    if (this.gcOp(name, ins)) return;
    if (this.simdOp(name, ins)) return;
    // Not supported yet: fails when executed, not when translated.
    this.emit(`${use('unsupported')}(${JSON.stringify(name)});`);
    this.setUnreachable();
  }

  /** Float eq/ne in the carrier variant (compiler/translate/nan.ts). */
  private compareFloatEquality(op: string): void {
    const b = this.pop();
    const a = this.pop();
    const c = floatEqualityCarrier(a, op, b);
    this.push(`(${c} ? 1 : 0)`, true, c);
  }

  private compare(op: string): void {
    const b = this.pop();
    const a = this.pop();
    const c = `${a} ${op} ${b}`;
    this.push(`(${c} ? 1 : 0)`, true, c);
  }

  /**
   * i32.add / i32.sub. In the 'interpreter' profile, where every `| 0` is one more bytecode
   * to dispatch, a sum of sums is one JS sum truncated once: `(a + b + c | 0)`, not
   * `((a + b | 0) + c | 0)`. Both give the same int32 as long as the untruncated sum is exact,
   * which holds for up to 2^21 int32 terms (|sum| < 2^52); MAX_SUM_TERMS stays far below.
   */
  private addSub(op: '+' | '-'): void {
    const b = this.pop();
    const a = this.pop();
    if (this.env.profile !== 'interpreter') {
      this.push(`(${a} ${op} ${b} | 0)`, true);
      return;
    }
    const sa = this.sums.get(a),
      sb = this.sums.get(b);
    const terms = (sa?.terms ?? 1) + (sb?.terms ?? 1);
    if (terms > MAX_SUM_TERMS) {
      this.push(`(${a} ${op} ${b} | 0)`, true);
      return;
    }
    const inner = `${sa ? sa.inner : a} ${op} ${sb ? `(${sb.inner})` : b}`;
    const e = `(${inner} | 0)`;
    this.sums.set(e, { inner, terms });
    this.push(e, true);
  }

  /** An i32 operand of an operator that applies ToInt32/ToUint32 itself: a tracked sum
   *  without its `| 0` (see addSub). */
  private truncatedOperand(e: string): string {
    const s = this.sums.get(e);
    return s ? `(${s.inner})` : e;
  }

  /** Bitwise i32 operator or shift `(a op b)`: both operands are converted with
   *  ToInt32/ToUint32 by JS. */
  private bitwise(op: string): void {
    const b = this.truncatedOperand(this.pop());
    const a = this.truncatedOperand(this.pop());
    this.push(`(${a} ${op} ${b})`, true);
  }

  private i32Op(op: string): boolean {
    switch (op) {
      case 'add':
        this.addSub('+');
        return true;
      case 'sub':
        this.addSub('-');
        return true;
      case 'mul':
        this.binary((a, b) => `${use('imul')}(${a}, ${b})`);
        return true;
      case 'and':
        this.bitwise('&');
        return true;
      case 'or':
        this.bitwise('|');
        return true;
      case 'xor':
        this.bitwise('^');
        return true;
      case 'shl':
        this.bitwise('<<');
        return true;
      case 'shr_s':
        this.bitwise('>>');
        return true;
      // A shift by a constant 1..31 leaves a non-negative int32: no `| 0` needed. Only in
      // the 'interpreter' profile, where it saves a bytecode; TurboFan types both the same.
      case 'shr_u': {
        const b = this.truncatedOperand(this.pop());
        const a = this.truncatedOperand(this.pop());
        this.push(
          this.env.profile === 'interpreter' && isIntLiteral(b) && (Number(b) & 31) !== 0
            ? `(${a} >>> ${Number(b) & 31})`
            : `(${a} >>> ${b} | 0)`,
          true,
        );
        return true;
      }
      case 'rotl':
      case 'rotr': {
        // Inline: helper calls are not inlined into large functions by TurboFan.
        const b = this.popSimple();
        const a = this.popSimple();
        if (isIntLiteral(b)) {
          const k = op === 'rotl' ? Number(b) & 31 : -Number(b) & 31;
          this.push(k === 0 ? a : `(${a} << ${k} | ${a} >>> ${32 - k})`, true);
        } else if (op === 'rotl') this.push(`(${a} << ${b} | ${a} >>> (32 - ${b}))`, true);
        else this.push(`(${a} >>> ${b} | ${a} << (32 - ${b}))`, true);
        return true;
      }
      case 'div_s':
      case 'div_u':
      case 'rem_s':
      case 'rem_u': {
        const b = this.popSimple();
        const a = this.popSimple();
        this.emit(`if (${b} === 0) ${this.trap(TRAP_MSG.divByZero)}`);
        if (op === 'div_s') this.emit(`if (${b} === -1 && ${a} === -2147483648) ${this.trap(TRAP_MSG.overflow)}`);
        const e =
          op === 'div_s'
            ? `(${a} / ${b} | 0)`
            : op === 'rem_s'
              ? `(${a} % ${b} | 0)`
              : op === 'div_u'
                ? `(${asU32(a)} / ${asU32(b)} | 0)`
                : `(${asU32(a)} % ${asU32(b)} | 0)`;
        this.push(e, false);
        return true;
      }
      case 'eqz': {
        const a = this.pop();
        this.push(`(${a} === 0 ? 1 : 0)`, true, `${a} === 0`);
        return true;
      }
      case 'eq':
        this.compare('===');
        return true;
      case 'ne':
        this.compare('!==');
        return true;
      case 'lt_s':
        this.compare('<');
        return true;
      case 'gt_s':
        this.compare('>');
        return true;
      case 'le_s':
        this.compare('<=');
        return true;
      case 'ge_s':
        this.compare('>=');
        return true;
      case 'lt_u':
      case 'gt_u':
      case 'le_u':
      case 'ge_u': {
        const o = UNSIGNED_COMPARE[op];
        const b = this.pop();
        const a = this.pop();
        const c = `${asU32(a)} ${o} ${asU32(b)}`;
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'clz':
        this.unary((a) => `${use('clz32')}(${a})`);
        return true;
      case 'ctz':
        this.unary((a) => `${use('ctz32')}(${a})`);
        return true;
      case 'popcnt':
        this.unary((a) => `${use('popcnt32')}(${a})`);
        return true;
      case 'extend8_s':
        this.unary((a) => `(${a} << 24 >> 24)`);
        return true;
      case 'extend16_s':
        this.unary((a) => `(${a} << 16 >> 16)`);
        return true;
      case 'wrap_i64':
        this.push(i64.i32WrapI64(this.popPair()), true);
        return true;
      case 'trunc_f32_s':
      case 'trunc_f64_s':
        this.push(`${use('truncI32S')}(${this.pop()})`, false);
        return true;
      case 'trunc_f32_u':
      case 'trunc_f64_u':
        this.push(`${use('truncI32U')}(${this.pop()})`, false);
        return true;
      case 'trunc_sat_f32_s':
      case 'trunc_sat_f64_s':
        this.unary((a) => `${use('truncSatI32S')}(${a})`);
        return true;
      case 'trunc_sat_f32_u':
      case 'trunc_sat_f64_u':
        this.unary((a) => `${use('truncSatI32U')}(${a})`);
        return true;
      case 'reinterpret_f32':
        this.unary((a) => `${use('f32ToBits')}(${a})`);
        return true;
      default:
        return false;
    }
  }

  private i64Op(op: string): boolean {
    switch (op) {
      case 'add':
      case 'sub':
      case 'mul':
      case 'and':
      case 'or':
      case 'xor':
      case 'shl':
      case 'shr_s':
      case 'shr_u':
      case 'rotl':
      case 'rotr': {
        if (op === 'mul' && this.env.profile === 'interpreter') {
          // Under Ignition every Math.imul is a call: compute the low product once, for
          // both words. (TurboFan shares the repeated product by itself.)
          const b = this.popPairSimple();
          const a = this.popPairSimple();
          this.usesQ = true;
          this.pushPairStmt(
            (lo, hi) => `q = ${use('imul')}(${a.lo}, ${b.lo}); ${hi} = ${i64.i64MulHigh(a, b, 'q')}; ${lo} = q;`,
          );
          return true;
        }
        const simple = i64.i64BinaryNeedsSimple(op);
        const b = simple ? this.popPairSimple() : this.popPair();
        const a = simple ? this.popPairSimple() : this.popPair();
        // Under Ignition a helper call (and the high word's trip through hiReg()) costs more
        // than the inline shift; TurboFan inlines the helper.
        const r = i64.i64Binary(op, a, b) ?? (this.env.profile === 'interpreter' ? i64.i64VarShift(op, a, b.lo) : null);
        if (r !== null) this.pushPair(r, true);
        else this.pushPairCall(i64.i64ShiftCall(op, a, b.lo));
        return true;
      }
      case 'eq':
      case 'ne':
      case 'lt_s':
      case 'gt_s':
      case 'le_s':
      case 'ge_s':
      case 'lt_u':
      case 'gt_u':
      case 'le_u':
      case 'ge_u': {
        const b = this.popPairSimple();
        const a = this.popPairSimple();
        const c = i64.i64Compare(op, a, b)!;
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'eqz': {
        const c = i64.i64Eqz(this.popPair());
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'clz':
      case 'ctz':
      case 'popcnt':
      case 'extend8_s':
      case 'extend16_s':
      case 'extend32_s': {
        const a = op === 'popcnt' ? this.popPair() : this.popPairSimple();
        this.pushPair(i64.i64Unary(op, a)!, true);
        return true;
      }
      case 'div_s':
      case 'div_u':
      case 'rem_s':
      case 'rem_u': {
        const b = this.popPair();
        const a = this.popPair();
        this.pushPairCall(i64.i64DivRemCall(op, a, b));
        return true;
      }
      case 'add128':
      case 'sub128': {
        const bHi = this.popPairSimple();
        const bLo = this.popPairSimple();
        const aHi = this.popPairSimple();
        const aLo = this.popPairSimple();
        this.pushPairsStmt(2, (r) => i64.i128AddSub(op === 'sub128', aLo, aHi, bLo, bHi, r));
        return true;
      }
      case 'mul_wide_s':
      case 'mul_wide_u': {
        const b = this.popPairSimple();
        const a = this.popPairSimple();
        this.pushPairsStmt(2, (r) => i64.i128MulWide(op === 'mul_wide_s', a, b, r));
        return true;
      }
      case 'extend_i32_s':
        this.pushPair(i64.i64ExtendI32S(this.popSimple()), true);
        return true;
      case 'extend_i32_u':
        this.pushPair(i64.i64ExtendI32U(this.pop()), true);
        return true;
      case 'trunc_f32_s':
      case 'trunc_f64_s':
        this.pushPairCall(i64.i64TruncCall(this.pop(), true, false));
        return true;
      case 'trunc_f32_u':
      case 'trunc_f64_u':
        this.pushPairCall(i64.i64TruncCall(this.pop(), false, false));
        return true;
      case 'trunc_sat_f32_s':
      case 'trunc_sat_f64_s':
        this.pushPairCall(i64.i64TruncCall(this.pop(), true, true));
        return true;
      case 'trunc_sat_f32_u':
      case 'trunc_sat_f64_u':
        this.pushPairCall(i64.i64TruncCall(this.pop(), false, true));
        return true;
      case 'reinterpret_f64':
        this.pushPairCall(i64.i64ReinterpretF64Call(this.pop()));
        return true;
      default:
        return false;
    }
  }

  private floatOp(op: string, f32: boolean): boolean {
    const r = (e: string): string => (f32 ? `${use('fround')}(${e})` : `(${e})`);
    switch (op) {
      case 'add':
        this.binary((a, b) => r(`${a} + ${b}`));
        return true;
      case 'sub':
        this.binary((a, b) => r(`${a} - ${b}`));
        return true;
      case 'mul':
        this.binary((a, b) => r(`${a} * ${b}`));
        return true;
      case 'div':
        this.binary((a, b) => r(`${a} / ${b}`));
        return true;
      case 'min':
        this.binary((a, b) => (f32 ? `${use('fround')}(${use('fmin')}(${a}, ${b}))` : `${use('fmin')}(${a}, ${b})`));
        return true;
      case 'max':
        this.binary((a, b) => (f32 ? `${use('fround')}(${use('fmax')}(${a}, ${b}))` : `${use('fmax')}(${a}, ${b})`));
        return true;
      case 'copysign':
        this.binary((a, b) => `${use(f32 ? 'f32copysign' : 'f64copysign')}(${a}, ${b})`);
        return true;
      case 'abs':
        this.unary((a) => `${use(f32 ? 'f32abs' : 'f64abs')}(${a})`);
        return true;
      case 'neg':
        this.unary((a) => `${use(f32 ? 'f32neg' : 'f64neg')}(${a})`);
        return true;
      case 'sqrt':
        this.unary((a) => r(`${use('sqrt')}(${a})`));
        return true;
      case 'ceil':
        this.unary((a) => r(`${use('fceil')}(${a})`));
        return true;
      case 'floor':
        this.unary((a) => r(`${use('ffloor')}(${a})`));
        return true;
      case 'trunc':
        this.unary((a) => r(`${use('ftrunc')}(${a})`));
        return true;
      case 'nearest':
        this.unary((a) => r(`${use('nearest')}(${a})`));
        return true;
      case 'eq':
        if (NAN_CARRIERS) this.compareFloatEquality('===');
        else this.compare('===');
        return true;
      case 'ne':
        if (NAN_CARRIERS) this.compareFloatEquality('!==');
        else this.compare('!==');
        return true;
      case 'lt':
        this.compare('<');
        return true;
      case 'gt':
        this.compare('>');
        return true;
      case 'le':
        this.compare('<=');
        return true;
      case 'ge':
        this.compare('>=');
        return true;
      case 'convert_i32_s':
        this.unary((a) => (f32 ? `${use('fround')}(${a})` : `(+${a})`));
        return true;
      case 'convert_i32_u':
        this.unary((a) => (f32 ? `${use('fround')}(${a} >>> 0)` : `(${a} >>> 0)`));
        return true;
      case 'convert_i64_s':
        this.push((f32 ? i64.f32ConvertI64S : i64.f64ConvertI64S)(this.popPair()), true);
        return true;
      case 'convert_i64_u':
        this.push((f32 ? i64.f32ConvertI64U : i64.f64ConvertI64U)(this.popPair()), true);
        return true;
      case 'demote_f64':
        this.unary((a) => `${use('fround')}(${a})`);
        return true;
      case 'promote_f32':
        this.unary((a) => `(+${a})`);
        return true;
      case 'reinterpret_i32':
        this.unary((a) => `${use('f32FromBits')}(${a})`);
        return true;
      case 'reinterpret_i64':
        this.push(i64.f64ReinterpretI64(this.popPair()), true);
        return true;
      default:
        return false;
    }
  }
}

export type { FuncType };

/** What an instruction of each fixed-weight estimate class adds to BigInt mode's balance:
 *  a gain where positive, a cost where negative (ops.ts BigEstimate). */
const BIG_FIXED_BALANCE = new Map<BigEstimate, number>([
  [BigEstimate.Gain, 1],
  [BigEstimate.Cost1, -1],
  [BigEstimate.Cost2, -2],
  [BigEstimate.Cost4, -4],
]);

/** How many of the types in `lists` are i64. */
function i64Count(...lists: (readonly ValType[])[]): number {
  let n = 0;
  for (const l of lists) for (const t of l) if (t === 'i64') n++;
  return n;
}
