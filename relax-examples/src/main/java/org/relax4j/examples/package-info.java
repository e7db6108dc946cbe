/** Compiled examples of the relax4j API, quoted by the README. */
package org.relax4j.examples;
