/**
 * The seed's sandbox runner load balancer (seed 000) as a small embedding of lbkit: {@link
 * dev.lbkit.examples.router.RunnerRouter} sends new jobs to the {@link
 * dev.lbkit.examples.router.SandboxRunner} with the lowest queue depth, keeps every later request
 * of a job on the runner that took it, fails new jobs over when a runner dies (and tells callers of
 * jobs stranded on it), caches completed results, and checks an API key on every route but health.
 *
 * <h2>What lbkit does here</h2>
 *
 * <ul>
 *   <li>{@code LoadBalancer} with {@code LEAST_LOADED}: picks the runner with the lowest reported
 *       load; {@code execute} fails a submit over to another runner.
 *   <li>{@code HealthChecker} with {@code Probe.http(path, body, load)}: marks runners healthy or
 *       not, and reads each one's queue depth into {@code Server.reportLoad}.
 * </ul>
 *
 * <p>What is the router's own: the job table and the result cache (Caffeine, on the injected
 * ticker), the API-key check ({@link dev.lbkit.examples.http.Secrets}) and the HTTP API.
 */
@NullMarked
package dev.lbkit.examples.router;

import org.jspecify.annotations.NullMarked;
