//! One HDF5 file written by all ranks together (parallel HDF5, MPI-IO).
//!
//! Arrays are stored in global coordinates; each rank writes the hyperslab
//! it owns with a *collective* transfer (hdf5-metno's own `write_slice` is
//! independent I/O, so the transfer itself goes through the raw API).
//! Every metadata operation (creating groups, datasets and attributes) is
//! collective in parallel HDF5: all ranks must make the same calls with the
//! same arguments, in the same order.

use anyhow::{anyhow, bail, Context, Result};
use hdf5::types::VarLenUnicode;
use hdf5_sys::h5d::{H5Dread, H5Dwrite};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5s::{
    H5S_seloper_t, H5Sclose, H5Screate_simple, H5Sselect_hyperslab, H5Sselect_none,
};
use ndarray::{Array2, ArrayView2};
use std::path::Path;
pub use topo_par::H5Access;
use topo_sim::ownership::Ownership;

/// Element types the file stores.
pub trait Element: hdf5::H5Type + Copy + Default {
    /// The HDF5 native type id.
    fn native() -> hid_t;
}

impl Element for f64 {
    fn native() -> hid_t {
        *hdf5_sys::h5t::H5T_NATIVE_DOUBLE
    }
}
impl Element for f32 {
    fn native() -> hid_t {
        *hdf5_sys::h5t::H5T_NATIVE_FLOAT
    }
}
impl Element for i32 {
    fn native() -> hid_t {
        *hdf5_sys::h5t::H5T_NATIVE_INT
    }
}
impl Element for i64 {
    fn native() -> hid_t {
        *hdf5_sys::h5t::H5T_NATIVE_LLONG
    }
}
impl Element for u8 {
    fn native() -> hid_t {
        *hdf5_sys::h5t::H5T_NATIVE_UCHAR
    }
}

/// A dataspace id, closed when dropped. Made and dropped while holding
/// HDF5's lock (`hdf5::sync::sync`).
struct Space(hid_t);

impl Space {
    /// The file dataspace of `ds`.
    fn of_dataset(ds: &hdf5::Dataset) -> Result<Space> {
        // SAFETY: `ds.id()` is an open dataset (hdf5-metno keeps it open
        // while `ds` lives); the result is checked before use.
        let id = unsafe { hdf5_sys::h5d::H5Dget_space(ds.id()) };
        if id < 0 {
            bail!("H5Dget_space failed ({id})");
        }
        Ok(Space(id))
    }

    /// A one-dimensional memory dataspace of `n` elements.
    fn simple(n: u64) -> Result<Space> {
        let dims = [n];
        // SAFETY: rank 1 with a one-element dims array; a null maxdims
        // means "same as dims". The result is checked before use.
        let id = unsafe { H5Screate_simple(1, dims.as_ptr(), std::ptr::null()) };
        if id < 0 {
            bail!("H5Screate_simple({n}) failed ({id})");
        }
        Ok(Space(id))
    }
}

impl Drop for Space {
    fn drop(&mut self) {
        // SAFETY: a valid dataspace id, closed only here, once.
        unsafe {
            H5Sclose(self.0);
        }
    }
}

/// An attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    /// UTF-8 string.
    Str(String),
    /// Float.
    F64(f64),
    /// Integer.
    I64(i64),
}

/// An HDF5 file, parallel (every rank of an MPI job) or serial (one
/// process), as its [`H5Access`] says.
pub struct H5File {
    file: hdf5::File,
    access: H5Access,
}

impl H5File {
    /// Collective: create (fail if it exists).
    pub fn create_new(path: &Path, access: H5Access) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| access.file_access(p))
            .create_excl(path)
            .with_context(|| format!("cannot create HDF5 file {}", path.display()))?;
        Ok(H5File { file, access })
    }

    /// Collective: open for reading and writing.
    pub fn open_rw(path: &Path, access: H5Access) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| access.file_access(p))
            .open_rw(path)
            .with_context(|| format!("cannot open HDF5 file {} for writing", path.display()))?;
        Ok(H5File { file, access })
    }

    /// Collective: open read-only.
    pub fn open_read(path: &Path, access: H5Access) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| access.file_access(p))
            .open(path)
            .with_context(|| format!("cannot open HDF5 file {}", path.display()))?;
        Ok(H5File { file, access })
    }

    /// The underlying file (for reads and serial use).
    pub fn file(&self) -> &hdf5::File {
        &self.file
    }

    /// Collective: make sure a group path exists (like `mkdir -p`).
    pub fn ensure_group(&self, path: &str) -> Result<hdf5::Group> {
        let mut g = self.file.as_group()?;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            g = match g.group(part) {
                Ok(x) => x,
                Err(_) => g.create_group(part)?,
            };
        }
        Ok(g)
    }

    fn split(path: &str) -> (&str, &str) {
        match path.rsplit_once('/') {
            Some((g, n)) => (g, n),
            None => ("", path),
        }
    }

    /// Collective: create dataset `path` of `shape` and write this rank's
    /// hyperslab `start`/`count` from `data` (row-major, `count` elements).
    /// A rank that owns nothing passes an empty `count` product and still
    /// takes part.
    pub fn write_block<T: Element>(
        &self,
        path: &str,
        shape: &[usize],
        start: &[usize],
        count: &[usize],
        data: &[T],
    ) -> Result<()> {
        self.write_slabs(path, shape, &[(start, count)], data)
    }

    /// Collective: [`H5File::write_block`] for a rank whose part is
    /// several disjoint hyperslabs (rows dealt in stripes): one selection
    /// of all of them and one collective write, so every rank makes the
    /// same calls whatever it owns. HDF5 transfers a selection in the
    /// row-major order of the file's dataspace, so `data` must be the
    /// union's elements in that order (for stripes of whole rows in
    /// increasing order, their concatenation). No slab: the rank writes
    /// nothing and still takes part.
    pub fn write_slabs<T: Element>(
        &self,
        path: &str,
        shape: &[usize],
        slabs: &[(&[usize], &[usize])],
        data: &[T],
    ) -> Result<()> {
        let (gpath, name) = Self::split(path);
        let group = self.ensure_group(gpath)?;
        // A measurement repeated at the same time replaces its map, as
        // Topographica replaces a sheet's view of the same name.
        let ds = if group.link_exists(name) {
            let ds = group
                .dataset(name)
                .with_context(|| format!("{path} exists and is not a dataset"))?;
            if ds.shape() != shape {
                bail!("{path} exists with shape {:?}, not {shape:?}", ds.shape());
            }
            ds
        } else {
            group
                .new_dataset::<T>()
                .shape(shape)
                .create(name)
                .with_context(|| format!("cannot create dataset {path}"))?
        };
        // No H5Dflush here: with the MPI-IO driver it flushes the
        // dataset's tagged metadata on each rank on its own, so the ranks'
        // metadata caches drift apart (HDF5 1.10 lets it, later versions
        // refuse it: HDFGroup/hdf5 #1876, #2289) and a later collective
        // metadata call hangs, e.g. a two-eye LISSOM's final snapshot, after
        // enough datasets, in H5DSattach_scale on one rank and H5Dwrite on
        // the other. The data reaches the disk when the file is closed.
        self.write_into(&ds, shape, slabs, data)
            .with_context(|| format!("collective write of {path} failed"))
    }

    fn write_into<T: Element>(
        &self,
        ds: &hdf5::Dataset,
        shape: &[usize],
        slabs: &[(&[usize], &[usize])],
        data: &[T],
    ) -> Result<()> {
        let h = |v: &[usize]| v.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        let mut sel = Vec::with_capacity(slabs.len());
        for &(start, count) in slabs {
            if shape.len() != start.len() || shape.len() != count.len() {
                bail!("rank of shape/start/count differ");
            }
            for d in 0..shape.len() {
                if count[d] > 0 && start[d] + count[d] > shape[d] {
                    bail!("hyperslab outside the dataset in dimension {d}");
                }
            }
            if count.iter().product::<usize>() > 0 {
                sel.push((h(start), h(count)));
            }
        }
        let n: usize = slabs.iter().map(|s| s.1.iter().product::<usize>()).sum();
        if data.len() != n {
            bail!("data has {} elements, hyperslabs {}", data.len(), n);
        }
        hdf5::sync::sync(|| {
            let fspace = Space::of_dataset(ds)?;
            let mspace = Space::simple(n.max(1) as u64)?;
            let mut status = 0;
            if sel.is_empty() {
                // SAFETY: both ids are valid dataspaces (checked by `Space`).
                status = unsafe { H5Sselect_none(fspace.0).min(H5Sselect_none(mspace.0)) };
            }
            for (i, (st, ct)) in sel.iter().enumerate() {
                let op = if i == 0 {
                    H5S_seloper_t::H5S_SELECT_SET
                } else {
                    H5S_seloper_t::H5S_SELECT_OR
                };
                // SAFETY: `fspace` is a valid dataspace (checked by
                // `Space`); `st` and `ct` hold one value per dimension of
                // the dataset (checked above), as H5Sselect_hyperslab reads.
                let s = unsafe {
                    H5Sselect_hyperslab(
                        fspace.0,
                        op,
                        st.as_ptr(),
                        std::ptr::null(),
                        ct.as_ptr(),
                        std::ptr::null(),
                    )
                };
                status = status.min(s);
            }
            let dxpl = self.access.collective_transfer().map_err(|e| anyhow!(e))?;
            let ptr = if n == 0 {
                std::ptr::null()
            } else {
                data.as_ptr()
            };
            // SAFETY: the dataset, spaces and transfer list are valid ids;
            // the memory space selects `n` elements of T::native(), as many
            // as the file selection (disjoint slabs, checked by the
            // callers' ownerships), and `data` holds `n` values of T
            // (checked above); a rank that writes nothing selects none and
            // passes no buffer.
            let r = unsafe {
                H5Dwrite(
                    ds.id(),
                    T::native(),
                    mspace.0,
                    fspace.0,
                    dxpl.id(),
                    ptr.cast(),
                )
            };
            if status < 0 || r < 0 {
                return Err(anyhow!("H5Dwrite failed (selection {status}, write {r})"));
            }
            Ok(())
        })
    }

    /// Collective: a per-unit 2-D array of a `shape` (rows, cols) sheet,
    /// this rank's units `own` from `data` (laid out as `own` says: its
    /// owned rows in increasing order), one hyperslab per run of rows.
    pub fn write_owned2<T: Element>(
        &self,
        path: &str,
        shape: (usize, usize),
        own: &Ownership,
        data: &[T],
    ) -> Result<()> {
        self.write_owned(path, &[], shape, own, data)
    }

    /// Collective: a per-unit array with `lead` leading dimensions before
    /// the sheet's (rows, cols), e.g. `[contrast, orientation, rows, cols]`;
    /// `data` is row-major over `lead` then this rank's units in `own`'s
    /// order (the row-major order of the union of its stripes).
    pub fn write_owned<T: Element>(
        &self,
        path: &str,
        lead: &[usize],
        shape: (usize, usize),
        own: &Ownership,
        data: &[T],
    ) -> Result<()> {
        let mut full = lead.to_vec();
        full.extend([shape.0, shape.1]);
        let parts: Vec<(Vec<usize>, Vec<usize>)> = own
            .blocks()
            .map(|b| {
                let mut st = vec![0; lead.len()];
                let mut ct = lead.to_vec();
                st.extend([b.r0, b.c0]);
                ct.extend([b.rows(), b.cols()]);
                (st, ct)
            })
            .collect();
        let slabs: Vec<(&[usize], &[usize])> = parts
            .iter()
            .map(|(s, c)| (s.as_slice(), c.as_slice()))
            .collect();
        self.write_slabs(path, &full, &slabs, data)
    }

    /// Collective: [`H5File::write_block`] for 2-D data: dataset `path` of
    /// `shape` (rows, cols) with this rank's `block` at `origin` (row,
    /// column). A row-major view is written without a copy.
    pub fn write_array2<T: Element>(
        &self,
        path: &str,
        shape: (usize, usize),
        origin: (usize, usize),
        block: ArrayView2<'_, T>,
    ) -> Result<()> {
        let data = block.as_standard_layout();
        let slice = data
            .as_slice()
            .ok_or_else(|| anyhow!("{path}: block is not contiguous"))?;
        self.write_block(
            path,
            &[shape.0, shape.1],
            &[origin.0, origin.1],
            &[block.nrows(), block.ncols()],
            slice,
        )
    }

    /// [`H5File::read_block`] for 2-D data: the `dim` (rows, cols) block at
    /// `origin` of dataset `path`.
    pub fn read_array2<T: Element>(
        &self,
        path: &str,
        origin: (usize, usize),
        dim: (usize, usize),
    ) -> Result<Array2<T>> {
        let data = self.read_block(path, &[origin.0, origin.1], &[dim.0, dim.1])?;
        Ok(Array2::from_shape_vec(dim, data)?)
    }

    /// Read a hyperslab (independent I/O; any rank count).
    pub fn read_block<T: Element>(
        &self,
        path: &str,
        start: &[usize],
        count: &[usize],
    ) -> Result<Vec<T>> {
        let ds = self
            .file
            .dataset(path)
            .with_context(|| format!("no dataset {path}"))?;
        let n: usize = count.iter().product();
        let mut out = vec![T::default(); n];
        if n == 0 {
            return Ok(out);
        }
        let h = |v: &[usize]| v.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        let shape = ds.shape();
        if shape.len() != start.len() || shape.len() != count.len() {
            bail!(
                "reading {path}: {} dimensions, start/count give {}/{}",
                shape.len(),
                start.len(),
                count.len()
            );
        }
        if (0..shape.len()).any(|d| start[d] + count[d] > shape[d]) {
            bail!("reading {path}: hyperslab {start:?}+{count:?} outside its shape {shape:?}");
        }
        let (st, ct) = (h(start), h(count));
        hdf5::sync::sync(|| {
            let fspace = Space::of_dataset(&ds).with_context(|| format!("reading {path}"))?;
            let mspace = Space::simple(n as u64).with_context(|| format!("reading {path}"))?;
            // SAFETY: `fspace` is a valid dataspace; `st` and `ct` hold one
            // value per dimension (checked above).
            let s = unsafe {
                H5Sselect_hyperslab(
                    fspace.0,
                    H5S_seloper_t::H5S_SELECT_SET,
                    st.as_ptr(),
                    std::ptr::null(),
                    ct.as_ptr(),
                    std::ptr::null(),
                )
            };
            if s < 0 {
                return Err(anyhow!("reading {path}: cannot select {start:?}+{count:?}"));
            }
            // SAFETY: valid ids; the selection has `n` elements and `out`
            // holds `n` values of T, the type named by T::native().
            let r = unsafe {
                H5Dread(
                    ds.id(),
                    T::native(),
                    mspace.0,
                    fspace.0,
                    hdf5_sys::h5p::H5P_DEFAULT,
                    out.as_mut_ptr().cast(),
                )
            };
            if r < 0 {
                return Err(anyhow!("reading {path} failed"));
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Shape of a dataset.
    pub fn shape(&self, path: &str) -> Result<Vec<usize>> {
        Ok(self
            .file
            .dataset(path)
            .with_context(|| format!("no dataset {path}"))?
            .shape())
    }

    /// Collective: set an attribute on a group or dataset (created if
    /// missing; groups are created as needed).
    pub fn set_attr(&self, obj: &str, key: &str, value: &Attr) -> Result<()> {
        let loc: hdf5::Location = match self.file.dataset(obj) {
            Ok(ds) if !obj.is_empty() && obj != "/" => (**ds).clone(),
            _ => (*self.ensure_group(obj)?).clone(),
        };
        if loc.attr(key).is_ok() {
            loc.delete_attr(key)?;
        }
        match value {
            Attr::Str(s) => {
                let v: VarLenUnicode = s.parse().map_err(|e| anyhow!("attribute {key}: {e:?}"))?;
                loc.new_attr::<VarLenUnicode>()
                    .shape(())
                    .create(key)?
                    .write_scalar(&v)?
            }
            Attr::F64(v) => loc
                .new_attr::<f64>()
                .shape(())
                .create(key)?
                .write_scalar(v)?,
            Attr::I64(v) => loc
                .new_attr::<i64>()
                .shape(())
                .create(key)?
                .write_scalar(v)?,
        }
        Ok(())
    }

    /// Read a string attribute.
    pub fn attr_str(&self, obj: &str, key: &str) -> Result<String> {
        let loc: hdf5::Location = match self.file.dataset(obj) {
            Ok(ds) if !obj.is_empty() && obj != "/" => (**ds).clone(),
            _ => (*self.file.group(if obj.is_empty() { "/" } else { obj })?).clone(),
        };
        let v: VarLenUnicode = loc.attr(key)?.read_scalar()?;
        Ok(v.as_str().to_string())
    }

    /// Read a float attribute.
    pub fn attr_f64(&self, obj: &str, key: &str) -> Result<f64> {
        let g = self.file.group(if obj.is_empty() { "/" } else { obj });
        let loc: hdf5::Location = match g {
            Ok(g) => (*g).clone(),
            Err(_) => (**self.file.dataset(obj)?).clone(),
        };
        Ok(loc.attr(key)?.read_scalar()?)
    }

    /// Collective: flush and close. Every file must be closed before MPI
    /// finalises, or it is left unreadable.
    pub fn close(self) -> Result<()> {
        self.file.flush()?;
        self.file.close()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without MPI the same code writes and reads a file with serial HDF5
    /// (the local communicator's access), so io is testable without mpirun.
    #[test]
    fn a_local_context_writes_and_reads_serially() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.h5");
        let access = topo_par::Context::local().h5_access();
        assert!(!access.is_parallel());
        let f = H5File::create_new(&path, access).unwrap();
        let data: Vec<f64> = (0..6).map(f64::from).collect();
        f.write_block("g/d", &[2, 3], &[0, 0], &[2, 3], &data)
            .unwrap();
        f.close().unwrap();
        // Seen about 1 run in 3 of the whole lib test binary (never alone,
        // never in a run): the reopen finds the file still locked by the
        // writer just closed, as if HDF5 deferred that close while another
        // test thread was inside the library. Not understood yet; until it
        // is, the reopen waits for the lock (at most 2 s) instead of
        // failing at once, and still fails if the lock never goes.
        let mut tries = 0;
        let f = loop {
            match H5File::open_read(&path, access) {
                Ok(f) => break f,
                Err(e) if tries < 100 && format!("{e:#}").contains("unable to lock file") => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => panic!("{e:#}"),
            }
        };
        assert_eq!(
            f.read_block::<f64>("g/d", &[1, 1], &[1, 2]).unwrap(),
            vec![4.0, 5.0]
        );
        // A hyperslab outside the dataset, or of the wrong rank, is an
        // error naming the dataset, not a crash or garbage.
        let e = f.read_block::<f64>("g/d", &[1, 2], &[1, 2]).unwrap_err();
        assert!(e.to_string().contains("g/d"), "{e}");
        assert!(f.read_block::<f64>("g/d", &[0], &[1]).is_err());
        assert!(f.read_block::<f64>("nope", &[0], &[1]).is_err());
    }
}
