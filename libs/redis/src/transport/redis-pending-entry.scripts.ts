import { LuaScript } from '../lua-script.js';

// Commands on entries pending with one consumer of a group, each checking first that the entry is
// still that consumer's: XACK and XCLAIM take an entry whatever consumer holds it, and after a
// stall longer than `ackWaitMs` another consumer may have claimed it and be handling it.
// KEYS[1] the stream; ARGV[1] the group, ARGV[2] the consumer, then the entry ids.

/** Resets the idle time of those of the ids still pending with the consumer (JUSTID: the delivery count stays); returns the others. */
export const TOUCH = new LuaScript(`
local claim, lost = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], '0'}, {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then claim[#claim + 1] = ARGV[i] else lost[#lost + 1] = ARGV[i] end
end
if #claim > 5 then
  claim[#claim + 1] = 'JUSTID'
  redis.call(unpack(claim))
end
return lost
`);

/** Acks the entry if it is pending with the consumer: 1; the consumer holding it instead, or 0 when nobody does. */
export const ACK = new LuaScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if not p[1] then return 0 end
if p[1][2] ~= ARGV[2] then return p[1][2] end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
`);

/**
 * Claims the entry again for the consumer if it is still pending with it, counting a delivery:
 * the entry and its delivery count; the consumer holding it instead, or 0 when nobody does.
 */
export const RECLAIM = new LuaScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if not p[1] then return 0 end
if p[1][2] ~= ARGV[2] then return p[1][2] end
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], '0', ARGV[3])
if not claimed[1] then return 0 end
return {claimed[1], p[1][4] + 1}
`);

/**
 * Gives the entry back uncounted if it is pending with the consumer: its delivery count back to
 * what it was before this delivery and its idle time to ARGV[4] ms, so another reader's sweep
 * claims it at once as the same attempt. 1; the consumer holding it instead, or 0 when nobody does.
 */
export const GIVE_BACK = new LuaScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if not p[1] then return 0 end
if p[1][2] ~= ARGV[2] then return p[1][2] end
local before = math.max(p[1][4] - 1, 0)
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], '0', ARGV[3], 'IDLE', ARGV[4], 'RETRYCOUNT', tostring(before), 'JUSTID')
return 1
`);
