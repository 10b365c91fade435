/** Small programs that embed lbkit; {@link dev.lbkit.examples.Demo} is the README's demo. */
@NullMarked
package dev.lbkit.examples;

import org.jspecify.annotations.NullMarked;
