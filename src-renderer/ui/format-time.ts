import { dateTimeFormat } from './intl-formats';

/** HH:MM (24 h) in local time, or an em dash when the timestamp is unreadable. */
export function formatClockTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return dateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

/** DD.MM (the day and month, local time), or an em dash when the timestamp is unreadable. */
export function formatDate(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return dateTimeFormat(language, { day: '2-digit', month: '2-digit' }).format(date);
}
