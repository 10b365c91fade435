package dev.lbkit.health;

/**
 * What an {@link OutlierDetector} remembers of one server. Immutable; {@link #after} is a pure
 * function of the state, one call outcome, the time and the rules, so the detector installs the
 * next state with a compare-and-set and acts (ejects, calls back) after the swap.
 *
 * <p>The machine, for {@code n} consecutive failures, base ejection time {@code b} and maximum
 * {@code m}:
 *
 * <ul>
 *   <li>{@link Phase#IN}: a success resets the failure count; the {@code n}-th failure in a row
 *       moves to {@link Phase#EJECTING} with one more ejection.
 *   <li>{@link Phase#EJECTING}: the detector is asking the balancer to eject the server for {@code
 *       min(b x ejections, m)}; it then installs {@link #ejected} or, if the balancer refused (too
 *       many servers out already), {@link #refused}: back in, one failure short of the threshold,
 *       so the next failure asks again. Outcomes meanwhile are ignored.
 *   <li>{@link Phase#EJECTED}: outcomes (of calls that started before the ejection) are ignored
 *       while the balancer says the server is ejected; the first outcome after that moves it to
 *       {@link Phase#PROBATION} and counts there.
 *   <li>{@link Phase#PROBATION}: one failure ejects the server again at once, for longer; a success
 *       ends probation ({@link Phase#IN}).
 * </ul>
 *
 * In {@code IN} and {@code PROBATION} the ejection count is forgiven by one for every interval
 * {@code i} the server has spent in rotation since its last ejection ended (Envoy decrements its
 * multiplier once per interval in which the host was not ejected). The count never exceeds the
 * smallest one whose ejection reaches {@code m}. The interval detectors (success rate, failure
 * percentage) move a server to {@code EJECTING} through {@link #detected}, sharing the count.
 *
 * @param phase where the server is
 * @param failures consecutive failures counted in {@code IN}, below the threshold; 0 elsewhere
 * @param ejections ejections not yet forgiven, the current one included
 * @param since in {@code IN} and {@code PROBATION}, the ticker reading forgiveness counts from (0
 *     when there is nothing to forgive); in {@code EJECTED}, the reading at which the ejection
 *     ends; in {@code EJECTING}, the reading at which it was decided
 */
record OutlierState(Phase phase, int failures, int ejections, long since) {

  /** Where a server is, as the detector sees it. */
  enum Phase {
    /** In rotation, counting consecutive failures. */
    IN,
    /** The ejection is being asked for. */
    EJECTING,
    /** Out of rotation, until the balancer lets it back. */
    EJECTED,
    /** Back from an ejection, until its first outcome. */
    PROBATION
  }

  /** Nothing to remember: in rotation, no failure, no ejection. Never stored. */
  static final OutlierState INITIAL = new OutlierState(Phase.IN, 0, 0, 0);

  /**
   * The detector's settings, in nanoseconds.
   *
   * @param consecutiveFailures failures in a row that eject; at least 1
   * @param baseNanos the first ejection's length and the unit of growth; positive
   * @param maxNanos the longest ejection; at least {@code baseNanos}
   * @param forgiveNanos the time in rotation that forgives one ejection (Envoy's interval);
   *     positive
   */
  record Rules(int consecutiveFailures, long baseNanos, long maxNanos, long forgiveNanos) {

    /** Returns the smallest ejection count whose ejection lasts {@code maxNanos}. */
    int maxEjections() {
      long k = maxNanos / baseNanos + (maxNanos % baseNanos == 0 ? 0 : 1);
      return (int) Math.min(k, Integer.MAX_VALUE);
    }
  }

  /**
   * Returns the state after one call outcome.
   *
   * @param failed whether the call failed
   * @param stillEjected whether the balancer says the server is ejected now (read for {@code
   *     EJECTED} only)
   * @param now the ticker reading
   */
  OutlierState after(boolean failed, boolean stillEjected, long now, Rules rules) {
    switch (phase) {
      case EJECTING:
        return this;
      case EJECTED:
        if (stillEjected) {
          return this;
        }
        return returned(now).after(failed, false, now, rules);
      case IN:
      case PROBATION:
        break;
    }
    OutlierState s = forgiven(now, rules.forgiveNanos());
    if (failed && (s.phase == Phase.PROBATION || s.failures + 1 >= rules.consecutiveFailures())) {
      return s.ejecting(now, rules);
    }
    int failures = failed ? s.failures + 1 : 0;
    return s.ejections == 0 && failures == 0
        ? INITIAL
        : new OutlierState(Phase.IN, failures, s.ejections, s.since);
  }

  /**
   * Returns the state once an interval detector (success rate, failure percentage) found the server
   * an outlier at {@code now}: {@link Phase#EJECTING} with one more ejection, unless it is out or
   * being ejected already (then unchanged). A server just back from an ejection counts as back.
   */
  OutlierState detected(long now, boolean stillEjected, Rules rules) {
    switch (phase) {
      case EJECTING:
        return this;
      case EJECTED:
        if (stillEjected) {
          return this;
        }
        return returned(now).detected(now, false, rules);
      case IN:
      case PROBATION:
        break;
    }
    return forgiven(now, rules.forgiveNanos()).ejecting(now, rules);
  }

  /**
   * Returns this ({@link Phase#EJECTED}) state once the balancer let the server back: on probation,
   * forgiveness counting from the deadline (or from now, if someone ended the ejection early).
   */
  OutlierState returned(long now) {
    long back = since - now < 0 ? since : now;
    return new OutlierState(Phase.PROBATION, 0, ejections, back);
  }

  private OutlierState ejecting(long now, Rules rules) {
    return new OutlierState(Phase.EJECTING, 0, Math.min(ejections + 1, rules.maxEjections()), now);
  }

  /** Returns this state with the ejections forgiven by {@code now}. */
  private OutlierState forgiven(long now, long forgiveNanos) {
    if (ejections == 0) {
      return this;
    }
    long elapsed = now - since; // by subtraction: right across the ticker's overflow
    if (elapsed < forgiveNanos) { // negative too: a reading from before `since`, forgive nothing
      return this;
    }
    long steps = elapsed / forgiveNanos;
    if (steps >= ejections) {
      return new OutlierState(phase, failures, 0, 0);
    }
    return new OutlierState(phase, failures, ejections - (int) steps, since + steps * forgiveNanos);
  }

  /** Returns how long this ({@code EJECTING}) state's ejection lasts: {@code min(b x k, m)}. */
  long ejectionNanos(Rules rules) {
    // ejections <= maxEjections(), so the product stays below maxNanos + baseNanos: no overflow.
    return Math.min(rules.baseNanos() * ejections, rules.maxNanos());
  }

  /** Returns the state once the balancer ejected the server until {@code until}. */
  OutlierState ejected(long until) {
    return new OutlierState(Phase.EJECTED, 0, ejections, until);
  }

  /**
   * Returns the state once the balancer refused to eject the server at {@code now}: back in, one
   * failure short of the threshold, this ejection not counted (forgiveness restarts from now).
   */
  OutlierState refused(long now, Rules rules) {
    int k = ejections - 1;
    return new OutlierState(Phase.IN, rules.consecutiveFailures() - 1, k, k == 0 ? 0 : now);
  }
}
