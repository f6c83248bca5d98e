import { describe, expect, it } from 'vitest';
import { decodeText, detectDelimiter, detectEncoding, parseCsv } from '../../functions/background/csv.ts';
import { encodeGbk } from '../support/gbk.ts';

/** CSV files as Chinese offices save them: GBK from Excel, UTF-8 with or without BOM, UTF-16 text. */
const TEXT = '编号,姓名,派出单位\r\nC001,李明,县水务局\r\nC002,"王芳,副科","县""农业""局"\r\n';

describe('decoding', () => {
  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'utf-8'],
    ['UTF-8 without BOM', Buffer.from(TEXT, 'utf8'), 'utf-8'],
    ['GB18030/GBK (Excel "CSV (逗号分隔)")', encodeGbk(TEXT), 'gb18030'],
    [
      'UTF-16LE with BOM ("Unicode 文本")',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]),
      'utf-16le',
    ],
  ])('reads %s', (_label, bytes, encoding) => {
    const decoded = decodeText(bytes);
    expect(decoded.encoding).toBe(encoding);
    expect(decoded.text).toBe(TEXT);
  });

  it('takes GBK bytes for GBK, not for broken UTF-8: 你好 in GBK is not valid UTF-8', () => {
    expect(detectEncoding(encodeGbk('你好'))).toEqual({ encoding: 'gb18030', bom: 0 });
    expect(new TextDecoder('gb18030').decode(encodeGbk('青石乡红旗村'))).toBe('青石乡红旗村');
  });

  it('strips the BOM so the first header is 编号, not \\ufeff编号', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('编号,名称\n', 'utf8')]);
    expect(parseCsv(decodeText(bytes).text)[0]?.[0]).toBe('编号');
  });
});

describe('parsing', () => {
  it('splits records and fields, with quoted commas and doubled quotes', () => {
    expect(parseCsv(TEXT)).toEqual([
      ['编号', '姓名', '派出单位'],
      ['C001', '李明', '县水务局'],
      ['C002', '王芳,副科', '县"农业"局'],
    ]);
  });

  it('keeps a quoted line break inside its cell (one row, as in Excel)', () => {
    expect(parseCsv('备注,编号\n"第一行\r\n第二行",C1\nx,C2')).toEqual([
      ['备注', '编号'],
      ['第一行\r\n第二行', 'C1'],
      ['x', 'C2'],
    ]);
  });

  it('ends records at CRLF, LF or CR and drops trailing empty lines', () => {
    expect(parseCsv('a,b\rc,d\n\n\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps empty fields, also a last empty one', () => {
    expect(parseCsv('a,,c,\n')).toEqual([['a', '', 'c', '']]);
  });

  it.each([
    ['编号,名称\n', ','],
    ['编号\t名称\t类别\n', '\t'],
    ['编号;名称\n', ';'],
  ])('detects the delimiter of %j', (text, delimiter) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });
});
