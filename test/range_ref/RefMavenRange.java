// Reference: Maven's VersionRange (maven-artifact jar of Debian's maven).
// Reads "range<TAB>version" lines, prints true or false, or "refused: " and
// Maven's reason when it will not read the range.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import org.apache.maven.artifact.versioning.DefaultArtifactVersion;
import org.apache.maven.artifact.versioning.InvalidVersionSpecificationException;
import org.apache.maven.artifact.versioning.VersionRange;

public class RefMavenRange {
	public static void main(String[] args) throws Exception {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		PrintWriter out = new PrintWriter(System.out);
		String line;
		while ((line = in.readLine()) != null) {
			String[] f = line.split("\t", -1);
			try {
				VersionRange range = VersionRange.createFromVersionSpec(f[0]);
				out.println(range.containsVersion(new DefaultArtifactVersion(f[1])));
			} catch (InvalidVersionSpecificationException e) {
				out.println("refused: " + e.getMessage().replace(f[0], "R"));
			}
		}
		out.flush();
	}
}
