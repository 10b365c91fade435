package dev.lbkit.core;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's listeners and the fan-out to them. Each listener is isolated: whatever one throws
 * (an exception, an {@code Error}, a checked exception thrown sneakily) is logged, the first time
 * with its stack trace, and the next listener still hears the event. The balancer calls these only
 * after its bookkeeping for the event is complete and outside every lock of its own, so a listener
 * that throws or blocks can neither leak a slot nor stall another thread's acquire. A {@link
 * VirtualMachineError} is rethrown once every listener has been told.
 *
 * <p>The listeners are an array copied on write: a balancer without listeners pays one volatile
 * read per event.
 */
final class Listeners {

  private static final System.Logger LOG = System.getLogger(LoadBalancer.class.getName());
  private static final LoadBalancerListener[] NONE = new LoadBalancerListener[0];

  private volatile LoadBalancerListener[] listeners;
  private final Set<LoadBalancerListener> warned = ConcurrentHashMap.newKeySet();

  Listeners(Iterable<LoadBalancerListener> initial) {
    LoadBalancerListener[] all = NONE;
    for (LoadBalancerListener listener : initial) {
      all = Arrays.copyOf(all, all.length + 1);
      all[all.length - 1] = listener;
    }
    this.listeners = all;
  }

  synchronized void add(LoadBalancerListener listener) {
    LoadBalancerListener[] all = Arrays.copyOf(listeners, listeners.length + 1);
    all[all.length - 1] = Objects.requireNonNull(listener, "listener");
    listeners = all;
  }

  synchronized void remove(LoadBalancerListener listener) {
    LoadBalancerListener[] all = listeners;
    for (int i = 0; i < all.length; i++) {
      if (all[i].equals(listener)) {
        LoadBalancerListener[] fewer = new LoadBalancerListener[all.length - 1];
        System.arraycopy(all, 0, fewer, 0, i);
        System.arraycopy(all, i + 1, fewer, i, all.length - i - 1);
        listeners = fewer;
        return;
      }
    }
  }

  /** One event, told to one listener. */
  @FunctionalInterface
  private interface Event {
    void tell(LoadBalancerListener listener);
  }

  void routed(Request request, Server server) {
    LoadBalancerListener[] all = listeners;
    if (all.length > 0) {
      fire(all, "on a routed request", l -> l.onRouted(request, server));
    }
  }

  void rejected(Request request) {
    LoadBalancerListener[] all = listeners;
    if (all.length > 0) {
      fire(all, "on a rejected request", l -> l.onRejected(request));
    }
  }

  void leaseClosed(Request request, Server server, long nanos, @Nullable Throwable failure) {
    LoadBalancerListener[] all = listeners;
    if (all.length > 0) {
      fire(all, "on a closed lease", l -> l.onLeaseClosed(request, server, nanos, failure));
    }
  }

  void serverAdded(Server server) {
    fire(listeners, "on an added server", l -> l.onServerAdded(server));
  }

  void serverRemoved(Server server) {
    fire(listeners, "on a removed server", l -> l.onServerRemoved(server));
  }

  private void fire(LoadBalancerListener[] all, String when, Event event) {
    VirtualMachineError fatal = null;
    for (LoadBalancerListener listener : all) {
      try {
        event.tell(listener);
      } catch (VirtualMachineError e) {
        if (fatal == null) {
          fatal = e;
        }
      } catch (Throwable e) { // an Error or a sneaky checked exception too: isolate each one
        failed(listener, when, e);
      }
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  /** Logs a listener's failure: the first one with its stack trace, later ones briefly. */
  private void failed(LoadBalancerListener listener, String when, Throwable e) {
    if (warned.add(listener)) {
      LOG.log(Level.WARNING, "listener " + listener + " threw " + when + "; ignored", e);
    } else {
      LOG.log(Level.DEBUG, () -> "listener " + listener + " threw " + when + " again: " + e);
    }
  }
}
