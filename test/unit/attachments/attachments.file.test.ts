import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { cleanFilename, sniffType } from '../../../server/domains/attachments/attachments.file.ts';
import { fakeExe, minimalPdf, tinyPng } from '../../integration/attachments/chat.fixtures.ts';

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('attachment type sniffing', () => {
  it('accepts bytes that are what they say, ignoring Content-Type parameters and case', async () => {
    expect(await sniffType(tinyPng(), 'image/png')).to.equal('image/png');
    expect(await sniffType(minimalPdf, 'Application/PDF; charset=binary')).to.equal('application/pdf');
  });

  it('refuses a declared type outside the list, bytes of another kind, and a mismatch, each with 415', async () => {
    const cases: [Buffer, string, unknown][] = [
      [tinyPng(), 'text/html', { declared: 'text/html' }],
      [tinyPng(), '', { declared: null }],
      [fakeExe, 'image/png', { declared: 'image/png', detected: 'application/x-msdownload' }],
      [Buffer.from('%PDX not really'), 'application/pdf', { declared: 'application/pdf', detected: null }],
      [minimalPdf, 'image/png', { declared: 'image/png', detected: 'application/pdf' }],
    ];
    for (const [bytes, type, details] of cases) {
      const e = await refusal(sniffType(bytes, type));
      expect(e.code, type).to.equal('unsupported_media_type');
      expect(e.details, type).to.deep.equal(details);
    }
  });

  it('answers an empty file with invalid_input, whatever it claims to be', async () => {
    expect((await refusal(sniffType(Buffer.alloc(0), 'image/png'))).code).to.equal('invalid_input');
  });
});

describe('attachment filenames', () => {
  const cases: [string | undefined, 'image/png' | 'image/jpeg' | 'application/pdf', string][] = [
    ['領収書.pdf', 'application/pdf', '領収書.pdf'],
    ['/home/taro/写真.JPEG', 'image/jpeg', '写真.jpeg'],
    ['C:\\Users\\taro\\scan.jpg', 'image/jpeg', 'scan.jpg'],
    ['..\\..\\boot.ini', 'image/png', 'boot.ini.png'],
    ['.htaccess', 'image/png', 'htaccess.png'],
    ['invoice\u202efdp.exe', 'application/pdf', 'invoicefdp.exe.pdf'],
    ['a\tb\r\nc.png', 'image/png', 'abc.png'],
    ['  spaced   out  .png ', 'image/png', 'spaced out.png'],
    ['', 'image/png', 'file.png'],
    [undefined, 'application/pdf', 'file.pdf'],
    ['...', 'application/pdf', 'file.pdf'],
    ['photo.png', 'image/jpeg', 'photo.png.jpg'],
  ];
  for (const [raw, type, want] of cases) {
    it(`makes ${JSON.stringify(raw)} (${type}) into ${JSON.stringify(want)}`, () => {
      expect(cleanFilename(raw, type)).to.equal(want);
    });
  }

  it('caps long names at 120 characters without splitting a character, keeping the extension', () => {
    const name = cleanFilename(`${'😀'.repeat(200)}.png`, 'image/png');
    expect([...name]).to.have.length(120);
    expect(name.endsWith('😀.png')).to.equal(true);
  });
});
