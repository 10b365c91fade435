/**
 * One HTTP forwarder for every lbkit service: {@link dev.lbkit.services.forward.HttpForwarder}
 * sends a request to the backend an lbkit {@code LoadBalancer} chose, over pooled keep-alive
 * connections, streams both bodies, drops hop-by-hop headers, writes one access record per request
 * and answers lbkit's refusals and backend failures as 502/503/504.
 */
@NullMarked
package dev.lbkit.services.forward;

import org.jspecify.annotations.NullMarked;
