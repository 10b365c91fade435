package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.time.Duration;

/**
 * Hears every ejection an {@link OutlierDetector} makes and every return from one. Called on the
 * thread that reported the outcome which led to it, after the detector's state is installed; a
 * listener that throws is logged and ignored.
 */
public interface OutlierListener {

  /** Called when {@code server} was ejected by {@code reason} for {@code duration}. */
  default void onEjected(Server server, EjectionReason reason, Duration duration) {}

  /**
   * Called when the detector sees that an ejection of {@code server} it made has ended: at the
   * server's next outcome, or at the end of the next interval, whichever comes first.
   */
  default void onReturned(Server server) {}
}
