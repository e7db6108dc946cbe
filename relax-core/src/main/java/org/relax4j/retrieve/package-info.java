/**
 * Explaining search results: a {@link org.relax4j.retrieve.Gallery} of images embedded once (cached beside them) and
 * searched by cosine similarity, and {@link org.relax4j.retrieve.Retrieval}, which explains each hit both ways —
 * which regions of the query make it resemble the result, and which regions of the result make it resemble the
 * query — as match explanations ({@link org.relax4j.Target#input}).
 */
package org.relax4j.retrieve;
