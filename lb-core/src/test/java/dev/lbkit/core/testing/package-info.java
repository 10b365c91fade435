/**
 * Test fixtures that other lbkit modules' tests share, published in lb-core's test-jar (only this
 * package goes into it, so it brings no test classes and no JUnit along):
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.lbkit</groupId>
 *   <artifactId>lb-core</artifactId>
 *   <type>test-jar</type>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 */
@NullMarked
package dev.lbkit.core.testing;

import org.jspecify.annotations.NullMarked;
