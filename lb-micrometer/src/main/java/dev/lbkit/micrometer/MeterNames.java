package dev.lbkit.micrometer;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every binder here shares: the check of its name tag, and how Micrometer's failures log. */
final class MeterNames {

  private MeterNames() {}

  /**
   * Returns {@code name} if it can be a binder's name tag.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: not blank)");
    }
    return name;
  }

  /**
   * Logs a failure of Micrometer's for {@code what}: the first one (per {@code warned}) with its
   * stack trace, later ones briefly.
   */
  static void failed(
      System.Logger log, AtomicBoolean warned, String what, String when, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      log.log(Level.WARNING, "metrics of " + what + " failed " + when + "; skipped", e);
    } else {
      log.log(Level.DEBUG, () -> "metrics of " + what + " failed " + when + ": " + e);
    }
  }
}
