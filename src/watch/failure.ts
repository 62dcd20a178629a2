// Why a reconcile failed, as one word for the `reason` label of
// netrec_reconcile_failures_total and the service status line.
import { ConfigError } from '../config/errors.js';

export type FailureReason =
  /** The kernel refused a change (its extended-ACK text in the message); the change was rolled back. */
  | 'refused'
  /** The kernel accepted the writes but did not end up as planned; rolled back. */
  | 'verification'
  /** The config in force does not fit the kernel (an interface it names is missing...). */
  | 'config'
  /** Kernel events were lost faster than a re-read could catch up. */
  | 'events'
  /** An unconfirmed change left by a killed `apply --confirm-timeout` could not be put back. */
  | 'restore'
  /** Stopped by a signal midway (rolled back). */
  | 'interrupted'
  /** Netlink socket or file system errors, and anything else. */
  | 'io';

/** A reconcile failure whose reason is known where it is thrown. */
export class ReconcileFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'ReconcileFailure';
  }
}

export function failureReason(e: unknown): FailureReason {
  if (e instanceof ReconcileFailure) return e.reason;
  if (e instanceof ConfigError) return 'config';
  return 'io';
}
