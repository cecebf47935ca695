import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../../../src/connectors/helpdesk/omnidesk/html.js';
import { toMessage } from '../../../../../src/connectors/helpdesk/omnidesk/map.js';
import { parseWebhook } from '../../../../../src/connectors/helpdesk/omnidesk/webhook.js';

describe('htmlToText', () => {
  it('strips tags, turns <br> and paragraphs into newlines, decodes entities', () => {
    expect(htmlToText('<p>Hi Ann,</p><p>thanks &amp; sorry!<br>Version&nbsp;3.2 fixes it &#8212; &#x1F44D;</p>')).toBe(
      'Hi Ann,\nthanks & sorry!\nVersion 3.2 fixes it — 👍',
    );
    expect(
      htmlToText(
        '<div><b>Bold</b> and <a href="https://x.test/?a=1&amp;b=2">a link</a></div><ul><li>one</li><li>two</li></ul>',
      ),
    ).toBe('Bold and a link\none\ntwo');
    expect(htmlToText('Plain text, no tags')).toBe('Plain text, no tags');
  });

  it('drops script and style bodies and comments; keeps a lone "<" as text', () => {
    expect(htmlToText('<style>p{color:red}</style><script>alert("x")</script>Hello<!-- hidden --> world')).toBe(
      'Hello world',
    );
    expect(htmlToText('2 < 3 and 5 > 4')).toBe('2 < 3 and 5 > 4');
    expect(htmlToText('<SCRIPT>x</SCRIPT>ok')).toBe('ok');
  });

  it('does not decode what is not an entity or not a character, and does not double-decode', () => {
    expect(htmlToText('&amp;lt; &bogus; &#0; &#xD800; &#1114112;')).toBe('&lt; &bogus; &#0; &#xD800; &#1114112;');
    expect(htmlToText('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe('<script>alert(1)</script>');
  });

  it('collapses runs of blank lines and is linear on hostile input', () => {
    expect(htmlToText('<p>a</p><p></p><p></p><p></p><p>b</p>')).toBe('a\n\nb');
    const hostile = '<script>'.repeat(8000) + '<p'.repeat(8000) + ' '.repeat(20000) + 'x';
    expect(htmlToText(hostile)).toBe('');
    expect(htmlToText(`${' '.repeat(30000)}a${' '.repeat(30000)}b`)).toBe(`a${' '.repeat(30000)}b`);
  });
});

describe('content only in content_html', () => {
  it('a polled staff message with empty content carries the HTML as text', () => {
    const m = toMessage(5, {
      message_id: 9,
      staff_id: 3,
      user_id: 0,
      content: '',
      content_html: '<p>Fixed in&nbsp;2.1</p><p>Thanks!</p>',
      note: false,
    });
    expect(m.content).toBe('Fixed in 2.1\nThanks!');
    expect(toMessage(5, { message_id: 9, staff_id: 3, content: 'plain', content_html: '<p>other</p>' }).content).toBe(
      'plain',
    );
    expect(toMessage(5, { message_id: 9, staff_id: 3, content: null, content_html: null }).content).toBe('');
  });

  it('a webhook with empty content and content_html carries the HTML as text', () => {
    const body = new URLSearchParams({
      type: 'message_new',
      'object[message_id]': '2',
      'object[case_id]': '1',
      'object[staff_id]': '3',
      'object[content]': '',
      'object[content_html]': '<p>Hello<br>there</p>',
    }).toString();
    expect(parseWebhook('application/x-www-form-urlencoded', body).content).toBe('Hello\nthere');
  });
});
