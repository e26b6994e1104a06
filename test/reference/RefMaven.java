// Reference: Maven's maven-artifact jar (Debian's maven).  Reads tab-separated
// lines and prints one answer a line:
//   RefMaven          "a<TAB>b": ComparableVersion's -1, 0 or 1
//   RefMaven range    "range<TAB>version": VersionRange.containsVersion's true
//                     or false, or "refused: " and Maven's reason
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.artifact.versioning.DefaultArtifactVersion;
import org.apache.maven.artifact.versioning.InvalidVersionSpecificationException;
import org.apache.maven.artifact.versioning.VersionRange;

public class RefMaven {
	static String compare(String a, String b) {
		return String.valueOf(Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b))));
	}

	static String contains(String spec, String version) {
		try {
			VersionRange range = VersionRange.createFromVersionSpec(spec);
			return String.valueOf(range.containsVersion(new DefaultArtifactVersion(version)));
		} catch (InvalidVersionSpecificationException e) {
			return "refused: " + e.getMessage().replace(spec, "R");
		}
	}

	public static void main(String[] args) throws Exception {
		boolean ranges = args.length > 0 && args[0].equals("range");
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		PrintWriter out = new PrintWriter(System.out);
		String line;
		while ((line = in.readLine()) != null) {
			String[] f = line.split("\t", -1);
			out.println(ranges ? contains(f[0], f[1]) : compare(f[0], f[1]));
		}
		out.flush();
	}
}
