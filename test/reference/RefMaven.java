// Reference: Maven's ComparableVersion (maven-artifact jar of Debian's maven).
// Reads "a<TAB>b" lines, prints -1, 0 or 1.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import org.apache.maven.artifact.versioning.ComparableVersion;

public class RefMaven {
	public static void main(String[] args) throws Exception {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		PrintWriter out = new PrintWriter(System.out);
		String line;
		while ((line = in.readLine()) != null) {
			String[] f = line.split("\t", -1);
			int c = new ComparableVersion(f[0]).compareTo(new ComparableVersion(f[1]));
			out.println(Integer.signum(c));
		}
		out.flush();
	}
}
