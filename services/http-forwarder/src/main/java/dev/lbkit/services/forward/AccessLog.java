package dev.lbkit.services.forward;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the forwarder writes its one line per forwarded request. Called exactly once per request,
 * when it is over, on whichever thread finished it; an implementation must not block and should not
 * throw (an exception it throws is logged and otherwise ignored).
 */
@FunctionalInterface
public interface AccessLog {

  /** Records one finished request. */
  void log(AccessRecord record);

  /**
   * Returns the default log: one line per request at INFO on the SLF4J logger {@code
   * dev.lbkit.services.forward.access}, such as {@code GET /v1/jobs/x -> 10.0.0.2:8080 200 12 ms}
   * with {@code " (error: ...)"} appended when the request failed.
   */
  static AccessLog slf4j() {
    Logger log = LoggerFactory.getLogger("dev.lbkit.services.forward.access");
    return record -> {
      if (log.isInfoEnabled()) {
        log.info(record.toLine());
      }
    };
  }
}
