package dev.lbkit.examples.broker;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One sandbox of the pool as {@link SandboxBroker#sandboxes()} saw it: an immutable value.
 *
 * @param sandboxId the sandbox's id
 * @param healthy whether the sandbox's server was healthy (only healthy sandboxes are handed out)
 * @param trackId the track holding it, or null if it was free
 * @param heldFor how long the track had held it, or null if it was free
 */
public record SandboxView(
    String sandboxId, boolean healthy, @Nullable String trackId, @Nullable Duration heldFor) {

  /** Returns whether a track held the sandbox. */
  public boolean allocated() {
    return trackId != null;
  }
}
