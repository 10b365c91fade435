/**
 * The small helpers the demo's backends and traffic share: {@link
 * dev.lbkit.examples.http.Arguments} (argument checks whose messages name the argument and value)
 * and {@link dev.lbkit.examples.http.NamedThreads} (named daemon threads for the demo's own
 * executors). The seeds' services, which once lived beside the demo, are runnable services under
 * {@code services/} now, built on {@code services/service-kit}.
 */
@NullMarked
package dev.lbkit.examples.http;

import org.jspecify.annotations.NullMarked;
