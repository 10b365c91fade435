/**
 * The pieces of the README's demo ({@link dev.lbkit.examples.Demo}): loopback HTTP backends that
 * can be killed and restarted ({@link dev.lbkit.examples.demo.DemoBackend}), closed-loop clients
 * that send every call through {@link dev.lbkit.core.LoadBalancer#execute} ({@link
 * dev.lbkit.examples.demo.Traffic}), and the per-backend table it prints ({@link
 * dev.lbkit.examples.demo.BackendTable}).
 */
@NullMarked
package dev.lbkit.examples.demo;

import org.jspecify.annotations.NullMarked;
