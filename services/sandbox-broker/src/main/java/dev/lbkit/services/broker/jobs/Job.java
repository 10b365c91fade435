package dev.lbkit.services.broker.jobs;

import java.util.Map;

/** A background job: one run does its work, logs one line and returns a summary. */
public interface Job {
  /** Returns the job's name: {@code sync}, {@code cleanup} or {@code expiry}. */
  String name();

  /** Runs once; never throws (a failure is its outcome). Returns a summary for the admin API. */
  Map<String, Object> run();
}
