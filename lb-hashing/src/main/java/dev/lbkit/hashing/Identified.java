package dev.lbkit.hashing;

/**
 * A node that names itself for hashing. The name decides where the node's virtual nodes sit on a
 * ring, so it must be stable: the same for the same node in every process and every release, and
 * distinct for distinct nodes. A {@code host:port} string is a good name; an object identity or a
 * process id is not.
 */
public interface Identified {

  /** Returns this node's stable name, the same for equal nodes everywhere. */
  String id();
}
