/**
 * Sign-in, switching operator, the idle lock (docs/architecture.md, "Privacy and security").
 * The core keeps the session; every other request is allowed or refused by it.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { PersonIdSchema, PinSchema, RoleSchema, SessionViewSchema } from './access-model';

/** One name on the sign-in list: never the PIN or its hash. */
export const SignInChoiceSchema = z
  .object({
    id: PersonIdSchema,
    name: z.string().max(80),
    role: RoleSchema,
    /** False until the person chose a PIN: the first sign-in asks for a new one twice. */
    hasPin: z.boolean(),
  })
  .strict();
export type SignInChoice = z.infer<typeof SignInChoiceSchema>;

export const accessRequests = {
  /** The session now: open, signed out, signed in or locked, with the role in force. */
  'session.get': { input: NoInput, output: SessionViewSchema },
  /** Who may sign in here (IT's list). */
  'session.people': { input: NoInput, output: z.object({ people: z.array(SignInChoiceSchema) }).strict() },
  /**
   * Signs a person in (or switches to them from another person): their PIN checked against its
   * hash. A person without a PIN sets `pin` as their first one. Wrong PINs: `WRONG_PIN`; after
   * five in a row a wait (`SIGN_IN_WAIT`) doubles from 30 s.
   */
  'session.signIn': { input: z.object({ personId: PersonIdSchema, pin: PinSchema }).strict(), output: SessionViewSchema },
  /** Signs the person out: the screen clears of patient data, the phone keeps working. */
  'session.signOut': { input: NoInput, output: SessionViewSchema },
  /** Locks now (Ctrl+L) — or the core does it after the idle minutes. */
  'session.lock': { input: NoInput, output: SessionViewSchema },
  /** Unlocks with the signed-in person's PIN (an open desk unlocks without one). */
  'session.unlock': { input: z.object({ pin: PinSchema.optional() }).strict(), output: SessionViewSchema },
  /** Someone touched the keyboard or mouse (sent at most every few seconds): restarts the idle timer. */
  'session.activity': { input: NoInput, output: z.object({ ok: z.literal(true) }).strict() },
  /** The signed-in person changes their own PIN. */
  'session.changePin': { input: z.object({ currentPin: PinSchema, newPin: PinSchema }).strict(), output: SessionViewSchema },
  /** An admin clears a person's PIN: they choose a new one at their next sign-in. */
  'session.resetPin': { input: z.object({ personId: PersonIdSchema }).strict(), output: z.object({ reset: z.literal(true) }).strict() },
} as const satisfies RequestTable;

export const accessEvents = {
  /** The session changed (sign-in, sign-out, lock, unlock, the role or list changed). */
  'session:changed': SessionViewSchema,
} as const satisfies EventTable;
