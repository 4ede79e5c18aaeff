//! The model-file sandbox's memory bounds: every value the interpreter
//! builds is bounded, and model files are read with a size cap. Each case
//! ends fast with a located error, never a crash or an exhausted machine.

use super::common::*;

fn refused_model(text: &str, needle: &str, line: usize) {
    let s = Scratch::new();
    let f = s.path().join("hostile.ty");
    std::fs::write(&f, text).unwrap();
    let r = run(s.path(), 0, &["model", "hostile.ty"]);
    assert_eq!(r.code, Some(1), "{text}\n{}", r.all());
    assert!(r.stderr.contains(needle), "{text}\n{}", r.all());
    assert!(
        r.stderr.contains(&format!("hostile.ty:{line}:")),
        "{text}\n{}",
        r.all()
    );
    assert!(r.seconds < 20.0, "{text}: {:.1} s", r.seconds);
}

#[test]
fn string_operations_are_bounded() {
    refused_model(
        "x = [1]*1000000\ny = str(x)\nz = str([y]*8)\nw = z*4\n",
        "too large",
        3,
    );
    refused_model(
        "x = [1.5]*600000\ny = str(x)\nz = y + y + y + y\n",
        "too",
        3,
    );
    refused_model(
        "y = 'x'*900000\nz = y.replace('x', 'xxxxxxxxxxxxxxxxxxxxxxxx')\n",
        "too long",
        2,
    );
    refused_model("y = 'ab'*400000\nz = ','.join([y]*30)\n", "too large", 2);
    refused_model(
        "y = 'x'*900000\nz = repr([y]*10)\nw = [z]*10\n",
        "too large",
        3,
    );
}

#[test]
fn containers_are_bounded() {
    refused_model("y = 'x'*900000\nz = [y]*1000\n", "too large", 2);
    refused_model("y = [[0]*1000]*1000\nz = [y]*100\n", "too large", 2);
    refused_model("x = range(100000000)\n", "", 1);
    refused_model(
        "y = 'x'*900000\nz = {}\nfor i in range(100):\n    z['k%d' % i] = y\n",
        "",
        4,
    );
}

#[test]
fn model_files_are_read_with_a_cap() {
    let s = Scratch::new();
    for (file, needle) in [
        // Devices are not regular files: refused before a byte is read.
        ("/dev/zero", "is not a file"),
        ("/dev/urandom", "is not a file"),
    ] {
        let r = run(s.path(), 0, &["model", file]);
        assert_eq!(r.code, Some(1), "{}", r.all());
        assert!(r.stderr.contains(needle), "{}", r.all());
    }
    let big = s.path().join("big.ty");
    std::fs::write(&big, "# ".to_string() + &"x".repeat(5 << 20)).unwrap();
    let r = run(s.path(), 0, &["model", "big.ty"]);
    assert!(r.stderr.contains("larger than"), "{}", r.all());
    std::fs::write(&big, [0xffu8, 0xfe, 0x00]).unwrap();
    let r = run(s.path(), 0, &["model", "big.ty"]);
    assert!(r.stderr.contains("UTF-8"), "{}", r.all());
}
