import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCommand, parseReply, RespError } from './resp-codec.js';

describe('RESP codec', () => {
  it('encodes a command as an array of bulk strings', () => {
    assert.equal(encodeCommand(['SET', 'k', 'vé', 5]).toString(), '*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n$1\r\n5\r\n');
  });

  it('parses every RESP2 reply type', () => {
    assert.deepEqual(parseReply(Buffer.from('+PONG\r\n')), { value: 'PONG', end: 7 });
    assert.deepEqual(parseReply(Buffer.from(':42\r\n'))?.value, 42);
    assert.deepEqual(parseReply(Buffer.from('$-1\r\n'))?.value, null);
    assert.deepEqual(parseReply(Buffer.from('*-1\r\n'))?.value, null);
    assert.deepEqual(parseReply(Buffer.from('$5\r\na\r\nbc\r\n'))?.value, 'a\r\nbc');
    assert.deepEqual(parseReply(Buffer.from('*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6380\r\n'))?.value, ['127.0.0.1', '6380']);
    assert.deepEqual(parseReply(Buffer.from('*2\r\n*1\r\n:1\r\n$0\r\n\r\n'))?.value, [[1], '']);
    const error = parseReply(Buffer.from('-LOADING Redis is loading the dataset in memory\r\n'))?.value;
    assert.ok(error instanceof RespError);
    assert.equal(error.code, 'LOADING');
  });

  it('returns undefined for every incomplete prefix of a reply', () => {
    const whole = Buffer.from('*3\r\n$3\r\nfoo\r\n:7\r\n*1\r\n+OK\r\n');
    for (let cut = 0; cut < whole.length; cut += 1) {
      assert.equal(parseReply(whole.subarray(0, cut)), undefined, `prefix of ${cut} bytes`);
    }
    assert.deepEqual(parseReply(whole), { value: ['foo', 7, ['OK']], end: whole.length });
  });
});
