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
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pclose, H5Pcreate, H5Pset_dxpl_mpio, H5P_CLS_DATASET_XFER,
};
use hdf5_sys::h5s::{
    H5S_seloper_t, H5Sclose, H5Screate_simple, H5Sselect_hyperslab, H5Sselect_none,
};
use ndarray::{Array2, ArrayView2};
use std::path::Path;

/// The raw MPI communicator handle parallel HDF5 needs.
pub type RawComm = mpi::ffi::MPI_Comm;

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

/// A parallel HDF5 file.
pub struct H5File {
    file: hdf5::File,
}

impl H5File {
    /// Collective: create (fail if it exists).
    pub fn create_new(path: &Path, comm: RawComm) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| p.mpio(comm, None))
            .create_excl(path)
            .with_context(|| format!("cannot create HDF5 file {}", path.display()))?;
        Ok(H5File { file })
    }

    /// Collective: open for reading and writing.
    pub fn open_rw(path: &Path, comm: RawComm) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| p.mpio(comm, None))
            .open_rw(path)
            .with_context(|| format!("cannot open HDF5 file {} for writing", path.display()))?;
        Ok(H5File { file })
    }

    /// Collective: open read-only.
    pub fn open_read(path: &Path, comm: RawComm) -> Result<H5File> {
        let file = hdf5::File::with_options()
            .with_fapl(|p| p.mpio(comm, None))
            .open(path)
            .with_context(|| format!("cannot open HDF5 file {}", path.display()))?;
        Ok(H5File { file })
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
        self.write_into(&ds, shape, start, count, data)
            .with_context(|| format!("collective write of {path} failed"))?;
        Ok(ds.flush().map(|_| ())?)
    }

    fn write_into<T: Element>(
        &self,
        ds: &hdf5::Dataset,
        shape: &[usize],
        start: &[usize],
        count: &[usize],
        data: &[T],
    ) -> Result<()> {
        if shape.len() != start.len() || shape.len() != count.len() {
            bail!("rank of shape/start/count differ");
        }
        let n: usize = count.iter().product();
        if data.len() != n {
            bail!("data has {} elements, hyperslab {}", data.len(), n);
        }
        for d in 0..shape.len() {
            if count[d] > 0 && start[d] + count[d] > shape[d] {
                bail!("hyperslab outside the dataset in dimension {d}");
            }
        }
        let h = |v: &[usize]| v.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        hdf5::sync::sync(|| unsafe {
            let fspace = hdf5_sys::h5d::H5Dget_space(ds.id());
            if fspace < 0 {
                return Err(anyhow!("H5Dget_space failed"));
            }
            let mdims = [n.max(1) as u64];
            let mspace = H5Screate_simple(1, mdims.as_ptr(), std::ptr::null());
            let status = if n == 0 {
                H5Sselect_none(fspace).min(H5Sselect_none(mspace))
            } else {
                let (st, ct) = (h(start), h(count));
                H5Sselect_hyperslab(
                    fspace,
                    H5S_seloper_t::H5S_SELECT_SET,
                    st.as_ptr(),
                    std::ptr::null(),
                    ct.as_ptr(),
                    std::ptr::null(),
                )
            };
            let dxpl = H5Pcreate(*H5P_CLS_DATASET_XFER);
            let r1 = H5Pset_dxpl_mpio(dxpl, H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE);
            let ptr = if n == 0 {
                std::ptr::null()
            } else {
                data.as_ptr()
            };
            let r2 = H5Dwrite(ds.id(), T::native(), mspace, fspace, dxpl, ptr.cast());
            H5Pclose(dxpl);
            H5Sclose(mspace);
            H5Sclose(fspace);
            if status < 0 || r1 < 0 || r2 < 0 {
                return Err(anyhow!(
                    "H5Dwrite failed (selection {status}, dxpl {r1}, write {r2})"
                ));
            }
            Ok(())
        })
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
        hdf5::sync::sync(|| unsafe {
            let fspace = hdf5_sys::h5d::H5Dget_space(ds.id());
            let mdims = [n as u64];
            let mspace = H5Screate_simple(1, mdims.as_ptr(), std::ptr::null());
            let (st, ct) = (h(start), h(count));
            let s = H5Sselect_hyperslab(
                fspace,
                H5S_seloper_t::H5S_SELECT_SET,
                st.as_ptr(),
                std::ptr::null(),
                ct.as_ptr(),
                std::ptr::null(),
            );
            let r = H5Dread(
                ds.id(),
                T::native(),
                mspace,
                fspace,
                hdf5_sys::h5p::H5P_DEFAULT,
                out.as_mut_ptr().cast(),
            );
            H5Sclose(mspace);
            H5Sclose(fspace);
            if s < 0 || r < 0 {
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
