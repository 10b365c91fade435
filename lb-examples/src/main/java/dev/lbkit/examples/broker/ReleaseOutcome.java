package dev.lbkit.examples.broker;

/** What {@link SandboxBroker#markForDeletion} did. */
public enum ReleaseOutcome {
  /** The allocation ended and the sandbox went back to the pool. */
  RELEASED,
  /** The sandbox exists but is not allocated (never was, or released or expired already). */
  NOT_ALLOCATED,
  /** The sandbox is allocated to another track; nothing changed. */
  NOT_YOURS,
  /** No sandbox has this id. */
  UNKNOWN_SANDBOX
}
