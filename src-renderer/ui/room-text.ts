/**
 * A room as the MIS names it: a bare number gets the «каб.» label (`label`, localized by the
 * caller), a named room («каб. 214», «Процедурная») is shown as the MIS wrote it — so no screen
 * ever says «каб. каб. 214».
 */
export function roomText(room: string, label: (room: string) => string): string {
  return /^\d/.test(room.trim()) ? label(room.trim()) : room;
}
