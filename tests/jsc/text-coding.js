// TextDecoder and TextEncoder (UTF-8 only) for engine shells that have neither, such as
// JavaScriptCore's `jsc`. The decoder follows the Encoding Standard's UTF-8 decoder: in fatal
// mode any ill-formed sequence (overlong form, surrogate, beyond U+10FFFF, truncated) throws
// a TypeError, otherwise each maximal ill-formed subpart becomes U+FFFD. A leading BOM is
// kept only with `ignoreBOM`. Installed only where the host lacks the class.
(function (g) {
  'use strict';
  function toBytes(input) {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof Uint8Array) return input;
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    return new Uint8Array(input);
  }
  function TextDecoder(label, options) {
    const l = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
    if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8') throw new RangeError('unsupported encoding ' + label);
    this.encoding = 'utf-8';
    this.fatal = !!(options && options.fatal);
    this.ignoreBOM = !!(options && options.ignoreBOM);
  }
  TextDecoder.prototype.decode = function (input) {
    const b = toBytes(input);
    const n = b.length;
    let out = '';
    let chunk = [];
    const fatal = this.fatal;
    const bad = () => {
      if (fatal) throw new TypeError('The encoded data was not valid UTF-8');
      chunk.push(0xfffd);
    };
    let i = 0;
    if (!this.ignoreBOM && n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
    while (i < n) {
      const c = b[i];
      let cp, need, lo = 0x80, hi = 0xbf;
      if (c < 0x80) { chunk.push(c); i++; }
      else {
        if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
        else { bad(); i++; continue; }
        i++;
        let ok = true;
        for (let k = 0; k < need; k++) {
          const d = i < n ? b[i] : -1;
          if (d < lo || d > hi) { ok = false; break; }
          lo = 0x80; hi = 0xbf;
          cp = (cp << 6) | (d & 0x3f);
          i++;
        }
        if (!ok) { bad(); continue; }
        if (cp > 0xffff) { cp -= 0x10000; chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
        else chunk.push(cp);
      }
      if (chunk.length >= 4096) { out += String.fromCharCode.apply(null, chunk); chunk = []; }
    }
    return out + String.fromCharCode.apply(null, chunk);
  };
  function TextEncoder() { this.encoding = 'utf-8'; }
  TextEncoder.prototype.encode = function (input) {
    const s = input === undefined ? '' : String(input);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  };
  if (typeof g.TextDecoder === 'undefined') g.TextDecoder = TextDecoder;
  if (typeof g.TextEncoder === 'undefined') g.TextEncoder = TextEncoder;
})(globalThis);
