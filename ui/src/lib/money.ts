// Money is integer fen everywhere; yuan text is parsed exactly (no floats).

const MAX_FEN = 10_000_000_000_000;

/** 12345 → "123.45" */
export function fenToYuan2dp(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** 1234567 → "¥ 12,345.67" */
export function formatCny(fen: number): string {
  const s = fenToYuan2dp(Math.abs(fen));
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}¥ ${grouped}.${frac}`;
}

export type YuanError = 'empty' | 'invalid' | 'decimals' | 'negative' | 'zero' | 'too_large';
export type ParsedYuan = { ok: true; fen: number } | { ok: false; reason: YuanError };

/** Parse an amount typed in yuan ("100", "100.5", "1,234.56", "¥12") into fen. */
export function parseYuan(text: string): ParsedYuan {
  let t = text.trim();
  if (!t) return { ok: false, reason: 'empty' };
  t = t.replace(/^[¥￥]/, '').trim();
  if (t.startsWith('-')) return { ok: false, reason: 'negative' };
  t = t.replace(/^\+/, '');
  if (t.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) return { ok: false, reason: 'invalid' };
    t = t.replace(/,/g, '');
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && !m[2])) return { ok: false, reason: 'invalid' };
  const int = m[1];
  let frac = m[2] ?? '';
  if (frac.length > 2) {
    if (!/^0*$/.test(frac.slice(2))) return { ok: false, reason: 'decimals' };
    frac = frac.slice(0, 2);
  }
  const digits = int.replace(/^0+/, '');
  if (digits.length > 12) return { ok: false, reason: 'too_large' };
  const fen = (digits ? Number(digits) : 0) * 100 + Number(frac.padEnd(2, '0'));
  if (fen === 0) return { ok: false, reason: 'zero' };
  if (fen > MAX_FEN) return { ok: false, reason: 'too_large' };
  return { ok: true, fen };
}

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS = ['仟', '佰', '拾', ''];
const SECTIONS = ['', '万', '亿', '万亿'];

/** Chinese capital amount as written on cheques: 123456 fen → 壹仟贰佰叁拾肆元伍角陆分. */
export function amountInWords(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError('amount must be an integer number of fen');
  if (fen === 0) return '零元整';
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const jiao = Math.floor(abs / 10) % 10;
  const fenDigit = abs % 10;
  let out = '';
  if (yuan > 0) {
    const sections: number[] = [];
    for (let y = yuan; y > 0; y = Math.floor(y / 10000)) sections.push(y % 10000);
    let needZero = false;
    for (let idx = sections.length - 1; idx >= 0; idx--) {
      const sec = sections[idx];
      if (sec === 0) {
        needZero = true;
        continue;
      }
      // A gap before this section (a zero section or fewer than 4 digits) reads 零.
      if ((needZero || (idx < sections.length - 1 && sec < 1000)) && out) out += '零';
      needZero = false;
      const ds = [Math.floor(sec / 1000), Math.floor(sec / 100) % 10, Math.floor(sec / 10) % 10, sec % 10];
      let zeroPending = false;
      let started = false;
      ds.forEach((d, k) => {
        if (d === 0) {
          if (started) zeroPending = true;
          return;
        }
        if (zeroPending) out += '零';
        zeroPending = false;
        started = true;
        out += DIGITS[d] + UNITS[k];
      });
      out += SECTIONS[idx];
    }
    out += '元';
  }
  if (jiao === 0 && fenDigit === 0) {
    out += '整';
  } else {
    if (jiao > 0) out += DIGITS[jiao] + '角';
    else if (yuan > 0) out += '零';
    if (fenDigit > 0) out += DIGITS[fenDigit] + '分';
  }
  return neg ? '负' + out : out;
}
