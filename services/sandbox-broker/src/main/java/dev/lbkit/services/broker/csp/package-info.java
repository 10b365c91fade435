/**
 * The sandbox provider (the seed's ENG CSP): list and delete, in mock mode ({@link
 * dev.lbkit.services.broker.csp.MockCsp}) or over HTTP ({@link
 * dev.lbkit.services.broker.csp.HttpCsp}), behind a Resilience4j circuit breaker and retry ({@link
 * dev.lbkit.services.broker.csp.GuardedCsp}).
 */
@NullMarked
package dev.lbkit.services.broker.csp;

import org.jspecify.annotations.NullMarked;
